"""Finding and Diagnostic as values: built by the SWIG wrapper straight from the C report, they
must still behave as the frozen dataclasses docs/bindings.md promises, and hold the same text as
the JSON report."""

import copy
import dataclasses
import json
import os
import pickle
import subprocess
import sys
import typing

import pytest

import containerpolicy
from conftest import BAD_DOCKERFILE, ROOT
from containerpolicy import Diagnostic, Finding

CORPUS = ROOT.parent / "shared" / "corpus"


def cp001():
    report = containerpolicy.scan(BAD_DOCKERFILE)
    return next(f for f in report.findings if f.rule_id == "CP001")


def test_findings_are_immutable():
    f = cp001()
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'line'"):
        f.line = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        f.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del f.message
    assert f.line == 2


def test_equality_hash_and_repr_are_those_of_a_dataclass():
    a, b = cp001(), cp001()
    assert a == b and a is not b and hash(a) == hash(b) and len({a, b}) == 1
    made = Finding(**dataclasses.asdict(a))
    assert made == a and repr(made) == repr(a)
    assert a != dataclasses.replace(a, line=9)
    assert a != tuple(dataclasses.astuple(a))
    assert repr(a).startswith("Finding(rule_id='CP001', control=1, severity='high', "
                              "title='Container runs as root', message=")
    assert repr(a).endswith(f"file={str(BAD_DOCKERFILE)!r}, line=2, column=1, "
                            "object='Dockerfile final stage', remediation="
                            f"{a.remediation!r}, suppressed=False)")
    assert str(a) == f"{BAD_DOCKERFILE}:2:1: high CP001 {a.message}"
    assert a.severity_level == 4


def test_dataclass_protocol():
    f = cp001()
    assert dataclasses.is_dataclass(f) and dataclasses.is_dataclass(Diagnostic)
    assert [x.name for x in dataclasses.fields(f)] == list(Finding.__match_args__)
    moved = dataclasses.replace(f, line=7, column=3)
    assert (moved.line, moved.column, moved.rule_id) == (7, 3, "CP001")
    assert dataclasses.astuple(f)[:3] == ("CP001", 1, "high")
    d = Diagnostic(file=None, line=0, column=0, rule_id="X1", message="boom")
    assert dataclasses.asdict(d) == {"file": None, "line": 0, "column": 0, "rule_id": "X1",
                                     "message": "boom"}
    assert str(d) == "-:0:0: boom"
    # positional patterns (`case Diagnostic(None, 0, 0, rule, text)`) follow __match_args__
    assert Diagnostic.__match_args__ == ("file", "line", "column", "rule_id", "message")


def test_copy_and_pickle_keep_the_value():
    f = cp001()
    for clone in (copy.copy(f), copy.deepcopy(f), pickle.loads(pickle.dumps(f))):
        assert clone == f and type(clone) is Finding


def test_invalid_utf8_text_is_replaced_as_in_the_json():
    # two bytes of a cut three-byte sequence: one U+FFFD each, as the JSON writer does
    report = containerpolicy.Engine().scan_string(b"FROM no\xe2\x82de:20\nBOGUS\xff x\n",
                                                  name="Dockerfile")
    cp010 = [f.message for f in report.findings if f.rule_id == "CP010"]
    assert cp010 == ["base image no\ufffd\ufffdde:20 is not a valid image reference, so no "
                     "digest pins it"]
    assert [str(d) for d in report.errors] == ["Dockerfile:2:1: unknown instruction 'BOGUS\ufffd'"]
    doc = json.loads(report.to_json())
    assert [dataclasses.asdict(f) for f in report.findings] == doc["findings"]
    assert [dataclasses.asdict(d) for d in report.errors] == doc["errors"]


def test_file_names_that_are_not_utf8_decode_as_os_fsdecode(tmp_path):
    folder = os.path.join(os.fsencode(tmp_path), b"d\xff")
    os.mkdir(folder)
    with open(os.path.join(folder, b"Dockerfile"), "wb") as out:
        out.write(b"FROM node:20\n")
    report = containerpolicy.scan(os.fsdecode(folder))
    files = {f.file for f in report.findings}
    assert files == {os.fsdecode(os.path.join(folder, b"Dockerfile"))}
    with open(files.pop(), "rb") as back:
        assert back.read() == b"FROM node:20\n"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus next to the checkout")
def test_corpus_findings_and_errors_equal_the_json_report():
    report = containerpolicy.scan(CORPUS)
    doc = json.loads(report.to_json())
    assert len(report.findings) > 1000 and report.errors
    assert [dataclasses.asdict(f) for f in report.findings] == doc["findings"]
    assert [dataclasses.asdict(d) for d in report.errors] == doc["errors"]
    assert report.files == doc["summary"]["files"]


@pytest.mark.skipif(sys.version_info < (3, 10), reason="X | None is evaluable from 3.10")
def test_annotations_evaluate():
    assert typing.get_type_hints(Diagnostic) == {
        "file": typing.Optional[str], "line": int, "column": int,
        "rule_id": typing.Optional[str], "message": str}
    assert typing.get_type_hints(Finding)["suppressed"] is bool
    assert containerpolicy.StrPath == typing.Union[str, "os.PathLike[str]"]


def test_import_loads_no_heavy_modules():
    # each of these cost milliseconds of every run of a short script (issue 8)
    code = ("import sys, containerpolicy; "
            "print(sorted(m for m in ('typing', 'dataclasses', 'inspect', 'json', 'threading') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out == "[]\n"
