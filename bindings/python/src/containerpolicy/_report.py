"""Reports as plain Python objects, which the SWIG wrapper builds from the C report.

Nothing here points into C memory: the wrapper copies every finding and diagnostic into the
classes below when the report arrives; only ``to_json`` and ``to_sarif`` go back to the C report,
which this object owns.

Finding and Diagnostic are written out by hand instead of with ``@dataclass(frozen=True)``: the
wrapper fills their ``__slots__`` directly (five times cheaper than a frozen dataclass's
``__init__`` on a large scan), and importing ``dataclasses`` costs more than a small scan. They
still follow the dataclass protocol: ``dataclasses.fields``, ``asdict``, ``astuple`` and
``replace`` work on them, through a ``__dataclass_fields__`` made on first use.
"""

from __future__ import annotations

from . import _native
from ._errors import Error

# typing costs as much to import as a small scan; annotations are strings (PEP 563), written
# so that typing.get_type_hints can still evaluate them on Python 3.10 and later
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator

#: Severity names, from the least to the most severe.
SEVERITIES = ("info", "low", "medium", "high", "critical")

_setattr = object.__setattr__


class _DataclassFields:
    """``__dataclass_fields__`` on first use: the fields of a frozen dataclass with the same
    annotations, so that the functions of ``dataclasses`` treat the class as one."""

    def __get__(self, instance: object, cls: type) -> dict:
        import dataclasses

        twin = dataclasses.make_dataclass(
            cls.__name__, [(n, cls.__annotations__[n]) for n in cls.__slots__], frozen=True)
        fields = twin.__dataclass_fields__  # type: ignore[attr-defined]
        setattr(cls, "__dataclass_fields__", fields)
        setattr(cls, "__dataclass_params__", twin.__dataclass_params__)  # type: ignore
        return fields


class _Frozen:
    """Value semantics over ``__slots__``, as ``@dataclass(frozen=True)`` would give them."""

    __slots__ = ()
    __dataclass_fields__ = _DataclassFields()

    def _astuple(self) -> tuple:
        return tuple(getattr(self, n) for n in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._astuple() == other._astuple()  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._astuple())

    def __repr__(self) -> str:
        body = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{self.__class__.__qualname__}({body})"

    def __setattr__(self, name: str, value: object) -> None:
        import dataclasses

        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        import dataclasses

        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple:
        return (self.__class__, self._astuple())


class Finding(_Frozen):
    """One rule's verdict about one place in one file.

    ``severity`` is one of :data:`SEVERITIES`; ``control`` is the hardening control (1 to 10), or 0
    for checks beyond the ten; ``line`` and ``column`` are 1-based; ``object`` names what the
    finding is about ("Dockerfile final stage", "service web"); ``suppressed`` is true when an
    inline ``cpol:ignore`` comment covers it.
    """

    # the order of cpol_finding and of the JSON report; the SWIG wrapper fills these slots
    __slots__ = ("rule_id", "control", "severity", "title", "message", "file", "line", "column",
                 "object", "remediation", "suppressed")
    __match_args__ = __slots__

    rule_id: str
    control: int
    severity: str
    title: str
    message: str
    file: str
    line: int
    column: int
    object: str
    remediation: str
    suppressed: bool

    def __init__(self, rule_id: str, control: int, severity: str, title: str, message: str,
                 file: str, line: int, column: int, object: str, remediation: str,
                 suppressed: bool) -> None:
        for name, value in zip(self.__slots__, (rule_id, control, severity, title, message, file,
                                                line, column, object, remediation, suppressed)):
            _setattr(self, name, value)

    @property
    def severity_level(self) -> int:
        """The severity as a number, 1 (info) to 5 (critical), for comparisons."""
        return SEVERITIES.index(self.severity) + 1 if self.severity in SEVERITIES else 0

    def __str__(self) -> str:
        return (f"{self.file}:{self.line}:{self.column}: {self.severity} {self.rule_id} "
                f"{self.message}")


class Diagnostic(_Frozen):
    """Input that could not be read or parsed, or a rule that failed on it.

    ``file`` is None for problems not tied to a file; ``line`` and ``column`` are 0 when not tied
    to a place; ``rule_id`` names the failing rule, or is None for input problems.
    """

    __slots__ = ("file", "line", "column", "rule_id", "message")
    __match_args__ = __slots__

    file: str | None
    line: int
    column: int
    rule_id: str | None
    message: str

    def __init__(self, file: str | None, line: int, column: int, rule_id: str | None,
                 message: str) -> None:
        for name, value in zip(self.__slots__, (file, line, column, rule_id, message)):
            _setattr(self, name, value)

    def __str__(self) -> str:
        return f"{self.file or '-'}:{self.line}:{self.column}: {self.message}"


def _decode(raw: bytes) -> str:
    # the C writers replace invalid UTF-8 themselves; surrogateescape only guards against a slip
    return raw.decode("utf-8", "surrogateescape")


class Report:
    """The outcome of one scan: findings, diagnostics and a summary.

    A report is immutable and may be read from any thread; it stays valid after its engine is
    closed. ``findings`` are ordered by file (as given), line, column and rule id.
    """

    findings: list[Finding]
    errors: list[Diagnostic]

    def __init__(self, native: _native.NativeReport) -> None:
        self._native = native
        self._json: str | None = None
        self.findings, self.errors, self._files = native.items(Finding, Diagnostic)

    @property
    def files(self) -> int:
        """Number of files the scan read, including those that failed to parse."""
        return self._files

    @property
    def incomplete(self) -> bool:
        """True when an input could not be read or parsed, or a rule failed (see ``errors``)."""
        return bool(self.errors)

    @property
    def timing(self) -> tuple[float, float]:
        """When the C library began and finished the scan, on the ``time.monotonic()`` clock."""
        return (self._native.started(), self._native.finished())

    def active(self) -> list[Finding]:
        """The findings that no ``cpol:ignore`` comment suppresses."""
        return [f for f in self.findings if not f.suppressed]

    def to_json(self) -> str:
        """The report as JSON, exactly as ``cpol scan --format json`` prints it."""
        if self._json is None:
            self._json = _decode(self._native.to_json())
        return self._json

    def to_sarif(self) -> str:
        """The report as SARIF 2.1.0 (one run, the rules' metadata under tool.driver.rules).

        Raises :class:`Error` when the linked library cannot render SARIF.
        """
        return _decode(self._native.to_sarif())

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __repr__(self) -> str:
        return (f"<containerpolicy.Report files={self.files} findings={len(self.findings)} "
                f"errors={len(self.errors)}>")


__all__ = ["Diagnostic", "Error", "Finding", "Report", "SEVERITIES"]
