"""containerpolicy.Error for unusable arguments, missing paths, refused rules, bad configuration."""

import pytest

import containerpolicy
from containerpolicy import Error
from conftest import BAD_DOCKERFILE


def test_missing_path_raises_not_found(tmp_path):
    missing = tmp_path / "nope" / "Dockerfile"
    with pytest.raises(Error) as info:
        containerpolicy.scan([BAD_DOCKERFILE, missing])
    assert info.value.code == containerpolicy.ENOTFOUND
    assert str(info.value) == f"{missing}: No such file or directory"


@pytest.mark.parametrize("paths, text", [
    ([], "no paths to scan"),
    ([""], "paths: empty path"),
    (["a\0b"], "paths: a path cannot hold a NUL byte"),
    (42, "paths must be a path or a list of paths, not int"),
    ([BAD_DOCKERFILE, 3.5], "paths must be a path (str or os.PathLike), not float"),
])
def test_unusable_paths(paths, text):
    with pytest.raises(Error) as info:
        containerpolicy.Engine().scan(paths)
    assert str(info.value) == text
    assert info.value.code == containerpolicy.EINVAL


def test_unusable_scan_string_arguments():
    engine = containerpolicy.Engine()
    with pytest.raises(Error, match=r"unknown format 'yaml'"):
        engine.scan_string("x", name="a.yaml", format="yaml")
    with pytest.raises(Error, match="name must be a non-empty str"):
        engine.scan_string("x", name="")
    with pytest.raises(Error, match="text must be str or bytes, not NoneType"):
        engine.scan_string(None, name="Dockerfile")  # type: ignore[arg-type]


def test_closed_engine_raises():
    engine = containerpolicy.Engine()
    engine.close()
    with pytest.raises(Error, match="the engine is closed") as info:
        engine.scan(BAD_DOCKERFILE)
    assert info.value.code == containerpolicy.EINVAL
    assert engine.rule_count == 0
    engine.close()  # twice is fine


def test_missing_rules_path_raises_io(tmp_path):
    with pytest.raises(Error) as info:
        containerpolicy.Engine(rules=tmp_path / "policy")
    assert info.value.code == containerpolicy.EIO
    assert str(tmp_path / "policy") in str(info.value)


def test_refused_rule_raises_rule_error(tmp_path):
    bad = tmp_path / "BAD001-broken.lua"
    bad.write_text("return { id = 'BAD001', check = function(c, report) end\n")
    with pytest.raises(Error) as info:
        containerpolicy.scan(BAD_DOCKERFILE, rules=bad)
    assert info.value.code == containerpolicy.ERULE
    assert "BAD001-broken.lua" in str(info.value)
    with pytest.raises(Error) as info:
        containerpolicy.Engine().add_rule_source("return 42", name="answer.lua")
    assert info.value.code == containerpolicy.ERULE and "answer.lua" in str(info.value)


def test_bad_configuration_raises(tmp_path):
    cfg = tmp_path / ".cpol.yaml"
    cfg.write_text("version: 1\nbogus-key: 3\n")
    with pytest.raises(Error) as info:
        containerpolicy.Engine(config=cfg)
    assert info.value.code == containerpolicy.ECONFIG
    assert str(cfg) in str(info.value)
    with pytest.raises(Error) as info:
        containerpolicy.scan(BAD_DOCKERFILE, config=tmp_path / "missing.yaml")
    assert info.value.code in (containerpolicy.EIO, containerpolicy.ECONFIG)


def test_error_is_an_exception_with_code_and_message():
    e = Error("x.lua:3: boom", containerpolicy.ERULE)
    assert isinstance(e, Exception) and e.code == -4 and e.message == "x.lua:3: boom"
    assert Error.__module__ == "containerpolicy"
