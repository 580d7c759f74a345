"""Check container configurations against container-hardening controls.

Python binding of libcontainerpolicy: Dockerfiles, compose files, Kubernetes manifests, OCI
runtime configs, ``docker run`` lines and CI workflows are read into one model and checked by
sandboxed Lua rules, built in or your own. The C core is compiled into this package.

    >>> import containerpolicy
    >>> report = containerpolicy.scan(["Dockerfile", "k8s/"])
    >>> for f in report.findings:
    ...     print(f.file, f.line, f.rule_id, f.severity, f.message)

For repeated scans, keep an :class:`Engine`; scans in different threads with their own engines
run in parallel (the GIL is released while the C core works).
"""

from ._engine import FORMATS, Engine, scan, version
from ._errors import ECONFIG, EINVAL, EIO, ENOMEM, ENOTFOUND, ERULE, Error
from ._report import SEVERITIES, Diagnostic, Finding, Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._engine import StrPath


def __getattr__(name: str) -> object:
    # StrPath (a typing.Union) is made on first use: importing typing would double the import time
    if name == "StrPath":
        from . import _engine

        return _engine.StrPath
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Version of this package, which is the version of the C library compiled into it.
__version__: str = version()

__all__ = [
    "ECONFIG", "EINVAL", "EIO", "ENOMEM", "ENOTFOUND", "ERULE", "FORMATS", "SEVERITIES",
    "Diagnostic", "Engine", "Error", "Finding", "Report", "StrPath", "scan", "version",
    "__version__",
]
