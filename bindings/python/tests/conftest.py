"""Shared fixtures: the repository root and, when the test runner names it, the cpol binary."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BAD_DOCKERFILE = ROOT / "examples" / "dockerfile-bad" / "Dockerfile"

# A rule of our own: reports every container, at its image, so tests can see custom rules run.
TEAM_RULE = """
return {
  id = "TEAM001", api = 1, control = 2, severity = "info",
  title = "Team rule ran", formats = { "dockerfile" },
  description = "A test rule.", remediation = "None needed.",
  check = function(c, report)
    if c.image then report{ at = c.image, message = "saw " .. c.image.ref } end
  end,
}
"""


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def cpol() -> str:
    path = os.environ.get("CPOL")
    if not path:
        pytest.skip("set CPOL to the cpol binary to compare with the CLI "
                    "(tests/cli/test_python.sh does)")
    return path
