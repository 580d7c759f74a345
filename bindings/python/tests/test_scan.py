"""Scans through the Python API: findings, diagnostics, the JSON the CLI prints, custom rules."""

import dataclasses
import json
import os
import subprocess
from importlib import metadata
from pathlib import Path

import pytest

import containerpolicy
from conftest import BAD_DOCKERFILE, ROOT, TEAM_RULE


def test_version_is_the_library_version():
    header = (ROOT / "include" / "containerpolicy.h").read_text()
    assert f'#define CPOL_VERSION_STRING "{containerpolicy.__version__}"' in header
    assert metadata.version("containerpolicy") == containerpolicy.__version__


def test_bad_dockerfile_root_user_finding_has_every_field():
    report = containerpolicy.scan(BAD_DOCKERFILE)
    cp001 = [f for f in report.findings if f.rule_id == "CP001"]
    assert len(cp001) == 1
    f = cp001[0]
    assert (f.control, f.severity, f.file, f.line, f.column) == \
        (1, "high", str(BAD_DOCKERFILE), 2, 1)
    assert f.title == "Container runs as root"
    assert f.object == "Dockerfile final stage"
    assert "no USER instruction" in f.message
    assert "USER app" in f.remediation
    assert f.suppressed is False
    assert f.severity_level == 4
    secret = [f for f in report.findings if f.rule_id == "CP006"]
    assert [(f.line, f.column, f.severity) for f in secret] == [(3, 23, "critical")]
    assert report.errors == [] and report.incomplete is False and report.files == 1


def test_same_findings_as_cpol_scan_format_json(cpol, monkeypatch):
    monkeypatch.chdir(ROOT)
    rel = "examples/dockerfile-bad/Dockerfile"
    cli = subprocess.run([cpol, "scan", "--format", "json", "--fail-on", "none", rel],
                         capture_output=True, text=True, check=True)
    expected = json.loads(cli.stdout)
    report = containerpolicy.scan(rel)
    assert [dataclasses.asdict(f) for f in report.findings] == expected["findings"]
    assert len(report.findings) >= 5
    assert json.loads(report.to_json()) == expected


def test_finding_and_report_fields_are_the_documented_ones():
    names = [f.name for f in dataclasses.fields(containerpolicy.Finding)]
    assert names == ["rule_id", "control", "severity", "title", "message", "file", "line",
                     "column", "object", "remediation", "suppressed"]
    names = [f.name for f in dataclasses.fields(containerpolicy.Diagnostic)]
    assert names == ["file", "line", "column", "rule_id", "message"]


def test_scan_string_names_the_buffer_and_finds_positions():
    with containerpolicy.Engine() as engine:
        report = engine.scan_string("FROM node:20\nUSER root\n", name="Dockerfile")
    cp001 = [(f.file, f.line, f.column) for f in report if f.rule_id == "CP001"]
    assert cp001 == [("Dockerfile", 2, 6)]
    assert report.files == 1


def test_scan_string_format_overrides_detection():
    engine = containerpolicy.Engine()
    text = b"FROM node:20\nUSER root\n"
    undetected = engine.scan_string(text, name="notes.txt")
    assert undetected.findings == []
    forced = engine.scan_string(text, name="notes.txt", format="dockerfile")
    assert ("CP001", 2, 6) in [(f.rule_id, f.line, f.column) for f in forced.findings]


def test_hostile_bytes_come_back_as_a_report():
    engine = containerpolicy.Engine()
    data = b"FROM alpine\x00:3\nRUN \xff\xfe echo\nUSER \x00\n" + b"A" * 100000
    report = engine.scan_string(data, name="Dockerfile")
    assert isinstance(report, containerpolicy.Report)
    json.loads(report.to_json())


def test_unparsable_input_is_a_diagnostic_not_an_exception(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM node:20\nBOGUS x\n")
    report = containerpolicy.scan(dockerfile)
    assert report.incomplete is True
    assert report.errors == [containerpolicy.Diagnostic(
        file=str(dockerfile), line=2, column=1, rule_id=None,
        message="unknown instruction 'BOGUS'")]


def test_folder_is_walked(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "Dockerfile").write_text("FROM node:20\n")
    (tmp_path / "Dockerfile").write_text("FROM node:20\nUSER 1000\n")
    (tmp_path / "notes.txt").write_text("not a container file\n")
    report = containerpolicy.scan([tmp_path])
    assert report.files == 2
    root_user = sorted(f.file for f in report.findings if f.rule_id == "CP001")
    assert root_user == [str(tmp_path / "a" / "Dockerfile")]


def test_paths_may_be_str_pathlike_or_a_list():
    as_str = containerpolicy.scan(str(BAD_DOCKERFILE)).findings
    assert containerpolicy.scan(BAD_DOCKERFILE).findings == as_str
    both = containerpolicy.scan([BAD_DOCKERFILE, str(BAD_DOCKERFILE)])
    assert both.files >= 1 and len(both.findings) >= len(as_str)


def test_custom_rules_from_a_folder_and_from_source(tmp_path):
    (tmp_path / "TEAM001-ran.lua").write_text(TEAM_RULE)
    report = containerpolicy.scan(BAD_DOCKERFILE, rules=tmp_path)
    team = [(f.rule_id, f.line, f.column, f.message, f.severity) for f in report.findings
            if f.rule_id == "TEAM001"]
    assert team == [("TEAM001", 2, 6, "saw node:20", "info")]

    engine = containerpolicy.Engine(builtin_rules=False)
    assert engine.rule_count == 0
    engine.add_rule_source(TEAM_RULE, name="team.lua")
    assert engine.rule_count == 1
    only = engine.scan_string("FROM alpine:3.19\n", name="Dockerfile")
    assert [(f.rule_id, f.message) for f in only.findings] == [("TEAM001", "saw alpine:3.19")]


def test_report_outlives_its_engine():
    engine = containerpolicy.Engine()
    report = engine.scan(BAD_DOCKERFILE)
    engine.close()
    del engine
    import gc
    gc.collect()
    assert report.findings[0].file == str(BAD_DOCKERFILE)
    assert json.loads(report.to_json())["summary"]["findings"] == len(report.findings)
    start, end = report.timing
    assert 0 < start <= end


def test_sarif_is_json_with_version_2_1_0():
    report = containerpolicy.scan(BAD_DOCKERFILE)
    try:
        sarif = report.to_sarif()
    except containerpolicy.Error as e:
        pytest.xfail(f"the linked library has no SARIF writer yet (cpol_report_to_sarif returns "
                     f"NULL): {e}")
    assert isinstance(sarif, str)
    doc = json.loads(sarif)
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1


def test_config_that_disables_a_rule(tmp_path):
    cfg = tmp_path / ".cpol.yaml"
    cfg.write_text("version: 1\nrules:\n  CP107:\n    enabled: false\n")
    try:
        engine = containerpolicy.Engine(config=cfg)
    except containerpolicy.Error as e:
        if "not supported yet" in str(e):
            pytest.xfail(f"the linked library cannot load configuration yet: {e}")
        raise
    ids = {f.rule_id for f in engine.scan(BAD_DOCKERFILE).findings}
    assert "CP107" not in ids and "CP001" in ids


def test_installed_package_is_typed():
    pkg = Path(containerpolicy.__file__).parent
    assert (pkg / "py.typed").is_file()
    assert containerpolicy.scan.__doc__ and containerpolicy.Engine.scan_string.__doc__
