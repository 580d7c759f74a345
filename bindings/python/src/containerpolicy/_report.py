"""Reports as plain Python objects, decoded from the JSON the C library renders.

Nothing here points into C memory: the report crosses the binding as one JSON string, and only
``to_sarif`` goes back to the C report, which this object owns.
"""

import json
from dataclasses import dataclass, fields
from operator import itemgetter
from typing import Any, Dict, Iterator, List, Optional, Tuple

from . import _native
from ._errors import Error

#: Severity names, from the least to the most severe.
SEVERITIES = ("info", "low", "medium", "high", "critical")


@dataclass(frozen=True)
class Finding:
    """One rule's verdict about one place in one file.

    ``severity`` is one of :data:`SEVERITIES`; ``control`` is the hardening control (1 to 10), or 0
    for checks beyond the ten; ``line`` and ``column`` are 1-based; ``object`` names what the
    finding is about ("Dockerfile final stage", "service web"); ``suppressed`` is true when an
    inline ``cpol:ignore`` comment covers it.
    """

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

    @property
    def severity_level(self) -> int:
        """The severity as a number, 1 (info) to 5 (critical), for comparisons."""
        return SEVERITIES.index(self.severity) + 1 if self.severity in SEVERITIES else 0

    def __str__(self) -> str:
        return (f"{self.file}:{self.line}:{self.column}: {self.severity} {self.rule_id} "
                f"{self.message}")


@dataclass(frozen=True)
class Diagnostic:
    """Input that could not be read or parsed, or a rule that failed on it.

    ``file`` is None for problems not tied to a file; ``line`` and ``column`` are 0 when not tied
    to a place; ``rule_id`` names the failing rule, or is None for input problems.
    """

    file: Optional[str]
    line: int
    column: int
    rule_id: Optional[str]
    message: str

    def __str__(self) -> str:
        return f"{self.file or '-'}:{self.line}:{self.column}: {self.message}"


def _picker(cls: Any) -> Any:
    # The values of the JSON keys this version knows, in field order (later versions of the JSON
    # may add keys). Built once per class: looking the fields up for every finding cost more than
    # the JSON decoding itself on a large scan.
    names = tuple(f.name for f in fields(cls))
    getter = itemgetter(*names)

    def pick(d: Dict[str, Any]) -> Any:
        try:
            return cls(*getter(d))
        except KeyError:
            return cls(*(d.get(n) for n in names))

    return pick


_finding = _picker(Finding)
_diagnostic = _picker(Diagnostic)


def _decode(raw: bytes) -> str:
    # file names need not be UTF-8; keep their bytes as os.fsdecode would
    return raw.decode("utf-8", "surrogateescape")


class Report:
    """The outcome of one scan: findings, diagnostics and a summary.

    A report is immutable and may be read from any thread; it stays valid after its engine is
    closed. ``findings`` are ordered by file (as given), line, column and rule id.
    """

    findings: List[Finding]
    errors: List[Diagnostic]

    def __init__(self, native: "_native.NativeReport") -> None:
        self._native = native
        self._json = _decode(native.to_json())
        doc: Dict[str, Any] = json.loads(self._json)
        self.findings = [_finding(f) for f in doc["findings"]]
        self.errors = [_diagnostic(d) for d in doc["errors"]]
        self._summary: Dict[str, int] = doc["summary"]

    @property
    def files(self) -> int:
        """Number of files the scan read, including those that failed to parse."""
        return self._summary["files"]

    @property
    def incomplete(self) -> bool:
        """True when an input could not be read or parsed, or a rule failed (see ``errors``)."""
        return bool(self.errors)

    @property
    def timing(self) -> Tuple[float, float]:
        """When the C library began and finished the scan, on the ``time.monotonic()`` clock."""
        return (self._native.started(), self._native.finished())

    def active(self) -> List[Finding]:
        """The findings that no ``cpol:ignore`` comment suppresses."""
        return [f for f in self.findings if not f.suppressed]

    def to_json(self) -> str:
        """The report as JSON, exactly as ``cpol scan --format json`` prints it."""
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
