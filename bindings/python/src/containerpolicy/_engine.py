"""Engines and scans: the idiomatic face of the SWIG handle (bindings/swig/containerpolicy.i).

Arguments are checked and turned into bytes here; the C side releases the GIL while it works, and
a lock per engine keeps one engine to one thread at a time, as the C library requires.
"""

from __future__ import annotations

import os
from _thread import allocate_lock  # what threading.Lock is, without importing threading

from . import _native
from ._errors import EINVAL, Error
from ._report import Report

# typing and threading cost as much to import as a small scan; annotations are strings (PEP 563)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, List, Optional, Union

    #: A path as the standard library takes one.
    StrPath = Union[str, "os.PathLike[str]"]


def __getattr__(name: str) -> object:
    # StrPath is made on first use, so that importing the package does not import typing
    if name == "StrPath":
        from typing import Union

        value = globals()["StrPath"] = Union[str, "os.PathLike[str]"]
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

#: Format names for ``Engine.scan_string``; None or "auto" detects from the name, then the content.
FORMATS = ("auto", "dockerfile", "compose", "k8s", "oci", "docker-run", "github", "gitlab")


def _encode_path(p: object, what: str) -> bytes:
    if isinstance(p, (str, bytes, os.PathLike)):
        b = os.fsencode(p)
        if b and b"\0" not in b:
            return b
        raise Error(f"{what}: {'empty path' if not b else 'a path cannot hold a NUL byte'}", EINVAL)
    raise Error(f"{what} must be a path (str or os.PathLike), not {type(p).__name__}", EINVAL)


def _path_list(paths: object, what: str) -> List[bytes]:
    if paths is None:
        return []
    if isinstance(paths, (str, bytes, os.PathLike)):
        return [_encode_path(paths, what)]
    try:
        items = list(paths)  # type: ignore[call-overload]
    except TypeError:
        raise Error(f"{what} must be a path or a list of paths, not {type(paths).__name__}",
                    EINVAL) from None
    return [_encode_path(p, what) for p in items]


def _encode_text(text: object, what: str) -> bytes:
    if isinstance(text, str):
        return text.encode("utf-8", "surrogateescape")
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text)
    raise Error(f"{what} must be str or bytes, not {type(text).__name__}", EINVAL)


class Engine:
    """A rule engine: the built-in rules, plus custom rules and a configuration.

    ``rules`` is a ``.lua`` rule file or a folder of them, or a list of such paths; ``config`` is a
    ``.cpol.yaml`` configuration file; ``builtin_rules=False`` starts from no rules at all.
    Raises :class:`Error` when a path is missing or unreadable, a rule is refused or the
    configuration is invalid.

    An engine may be shared by threads (a lock makes them take turns); for scans that run in
    parallel, give each thread its own engine. Use it as a context manager, or call
    :meth:`close`, to free it early; reports stay valid after that.
    """

    def __init__(
        self,
        *,
        rules: Union[StrPath, Iterable[StrPath], None] = None,
        config: Optional[StrPath] = None,
        builtin_rules: bool = True,
    ) -> None:
        self._lock = allocate_lock()
        self._native = _native.NativeEngine(0 if builtin_rules else 1)
        try:
            for p in _path_list(rules, "rules"):
                self._native.add_rules(p)
            if config is not None:
                self._native.load_config(_encode_path(config, "config"))
        except BaseException:
            self._native.close()
            raise

    def add_rules(self, path: StrPath) -> None:
        """Load custom rules from a ``.lua`` file or every ``*.lua`` file of a folder."""
        p = _encode_path(path, "rules")
        with self._lock:
            self._native.add_rules(p)

    def add_rule_source(self, source: Union[str, bytes], *, name: str) -> None:
        """Load one rule from its Lua text; ``name`` (such as "my-rule.lua") is used in messages."""
        data = _encode_text(source, "source")
        n = _encode_text(name, "name")
        with self._lock:
            self._native.add_rule_source(n, data)

    @property
    def rule_count(self) -> int:
        """Number of rules the engine has (0 once closed)."""
        with self._lock:
            return int(self._native.rule_count())

    def scan(self, paths: Union[StrPath, Iterable[StrPath]]) -> Report:
        """Scan files and folders; folders are walked and files of no known format skipped.

        Raises :class:`Error` when a path does not exist. Files that cannot be parsed do not
        raise: they are listed in ``Report.errors`` and the other files are still scanned.
        """
        joined = b"\0".join(_path_list(paths, "paths"))
        with self._lock:
            native = self._native.scan_paths(joined)
        return Report(native)

    def scan_string(
        self, text: Union[str, bytes], *, name: str, format: Optional[str] = None
    ) -> Report:
        """Scan text held in memory.

        ``name`` (such as "Dockerfile" or "k8s/deploy.yaml") is used as the file name in findings
        and, with the content, to detect the format unless ``format`` names one of
        :data:`FORMATS`.
        """
        data = _encode_text(text, "text")
        if not isinstance(name, str) or not name or "\0" in name:
            raise Error("name must be a non-empty str without NUL bytes, such as 'Dockerfile'",
                        EINVAL)
        if format is not None and not isinstance(format, str):
            raise Error(f"format must be a str, not {type(format).__name__}", EINVAL)
        fmt = (format or "auto").encode("utf-8")
        if b"\0" in fmt:
            raise Error("format cannot hold a NUL byte", EINVAL)
        n = name.encode("utf-8", "surrogateescape")
        with self._lock:
            native = self._native.scan_buffer(n, data, fmt)
        return Report(native)

    def close(self) -> None:
        """Free the engine now. Later scans raise :class:`Error`; reports stay valid."""
        with self._lock:
            self._native.close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def scan(
    paths: Union[StrPath, Iterable[StrPath]],
    *,
    rules: Union[StrPath, Iterable[StrPath], None] = None,
    config: Optional[StrPath] = None,
) -> Report:
    """Scan files and folders with a new engine (see :class:`Engine` for the arguments)."""
    with Engine(rules=rules, config=config) as engine:
        return engine.scan(paths)


def version() -> str:
    """Version of the linked C library."""
    return _native.cpol_version().decode("ascii")
