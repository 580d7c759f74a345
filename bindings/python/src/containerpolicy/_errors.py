"""The one exception type of the package; the SWIG wrapper raises it from C (bindings/swig)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

#: Result codes of the C library (include/containerpolicy.h), by name.
ENOMEM = -1
EINVAL = -2
EIO = -3
ERULE = -4
ECONFIG = -5
ENOTFOUND = -6


class Error(Exception):
    """An API call that could not be carried out.

    Raised for unusable arguments (an empty path list, an unknown format, a closed engine), paths
    that do not exist or cannot be read, rule files that are refused, and invalid configuration.
    Problems inside the scanned files are not errors: they are listed in ``Report.errors``.

    ``code`` is the C library's negative result code (``containerpolicy.EINVAL`` and friends) and
    ``message`` the text, which names the file and, for rules and configuration, the line.
    """

    def __init__(self, message: str, code: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code if code is not None else EINVAL

    def __str__(self) -> str:
        return self.message


Error.__module__ = "containerpolicy"
