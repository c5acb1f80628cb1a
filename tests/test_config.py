"""Config discovery, merge order and the errors a shop can make (exit 2, file:line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cslint.config import Config, find_config_file, load_config
from cslint.errors import ConfigError
from cslint.ruleset import load_pack


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_found_walking_up(tmp_path: Path) -> None:
    write(tmp_path / "cslint.toml", '[shop]\nnames = ["美动态旗舰店"]\n')
    logs = tmp_path / "logs" / "week10"
    logs.mkdir(parents=True)
    assert find_config_file(logs) == tmp_path / "cslint.toml"
    config = load_config([logs])
    assert config.shop.names == ("美动态旗舰店",)
    assert config.sources == (str(tmp_path / "cslint.toml"),)


def test_pyproject_tool_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n[tool.cslint]\nignore = ["W004"]\n')
    config = load_config([tmp_path])
    assert config.ignore == ("W004",)
    assert all(r.code != "W004" for r in load_pack(config).rules)


def test_merge_order_defaults_found_explicit_flags(tmp_path: Path) -> None:
    write(
        tmp_path / "cslint.toml",
        "[rules.W001]\npoints = 3\n[rules.T001.params]\nfirst_response_s = 10\n",
    )
    explicit = write(tmp_path / "ci.toml", "[rules.W001]\npoints = 5\n")
    config = load_config([tmp_path], explicit, select=["W", "T"])
    pack = load_pack(config)
    w001 = pack.rule("W001")
    t001 = pack.rule("T001")
    assert w001 is not None and w001.spec.points == 5  # --config beats the found file
    assert t001 is not None and t001.param("first_response_s") == 10  # the found file still counts
    assert {r.code[0] for r in pack.rules} == {"W", "T"}  # flags beat both


def test_add_phrases_and_whitelist(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "c.toml",
        '[rules.W001]\nadd_phrases = ["我不晓得"]\n[rules.W002]\nadd_whitelist = ["不好意思"]\n',
    )
    pack = load_pack(load_config([], cfg, discover=False))
    w001, w002 = pack.rule("W001"), pack.rule("W002")
    assert w001 is not None and "我不晓得" in w001.spec.list("phrases")
    assert w002 is not None and "不好意思" in w002.spec.list("whitelist")


def test_shop_ruleset_extends_bundled(tmp_path: Path) -> None:
    write(
        tmp_path / "shop-rules.toml",
        '[ruleset]\nname = "shop"\nextends = ["default"]\n\n[[rule]]\ncode = "X101"\nname = "competitor-name"\n'
        'kind = "phrase"\nmessage = "提到了竞品「{match}」"\nphrases = ["某某家"]\npoints = 1\n',
    )
    cfg = write(tmp_path / "cslint.toml", 'extends = ["shop-rules.toml"]\n')
    pack = load_pack(load_config([tmp_path], None))
    assert pack.rule("X101") is not None and pack.rule("P001") is not None
    assert cfg.exists()


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("[shop\nnames = 1\n", 1, "TOML syntax error"),
        ('select = ["W9"]\n', None, "matches no rule"),
        ('[rules.W001]\nadd_phrases = ["不行了", ""]\n', 2, "non-empty"),
        ("colour = true\n", 1, "unknown setting 'colour'"),
        ("[rules.W001]\npoints = -1\n", 2, "points must be"),
        ("[rules.Z999]\npoints = 1\n", None, "no rule Z999"),
        ("[rules.T001.params]\nfirst_respons_s = 3\n", None, "unknown parameter 'first_respons_s'"),
        ('[rules.T001.params]\nfirst_response_s = "six"\n', None, "must be"),
        ("session_gap_s = 0\n", 1, "session_gap_s"),
        ('extends = ["no-such-ruleset"]\n', None, "not found"),
    ],
)
def test_config_errors_name_file_line_and_reason(
    tmp_path: Path, text: str, line: int | None, reason: str
) -> None:
    cfg = write(tmp_path / "cslint.toml", text)
    with pytest.raises(ConfigError) as info:
        load_pack(load_config([], cfg, discover=False))
    err = info.value
    assert reason in err.reason
    if line is not None:
        assert err.line == line
    assert str(cfg) in str(err) or "no-such-ruleset" in text


RULE_HEAD = '[[rule]]\ncode = "X001"\nname = "x"\nmessage = "m"\n'


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('kind = "telepathy"\nphrases = ["a"]\n', "unknown kind 'telepathy'"),
        ('kind = "phrase"\nphrases = ["ok", "  "]\n', "empty entry"),
        ('kind = "phrase"\npatterns = ["(a+)+$"]\n', "nested quantifiers"),
        ('kind = "phrase"\npatterns = ["(unclosed"]\n', "bad regular expression"),
        ('kind = "phrase"\nphrasez = ["a"]\n', "unknown key 'phrasez'"),
        ('kind = "phrase"\nphrases = ["a"]\nseverity = "fatal"\n', "severity"),
        ('kind = "phrase"\nphrases = ["@nolist"]\n', "unknown shared list"),
        ('kind = "cooccurrence"\ngroups = { a = ["b"] }\n', "needs a non-empty list 'anchors'"),
    ],
)
def test_ruleset_errors(tmp_path: Path, body: str, reason: str) -> None:
    ruleset = write(tmp_path / "bad.toml", RULE_HEAD + body)
    cfg = write(tmp_path / "cslint.toml", 'extends = ["bad.toml"]\n')
    with pytest.raises(ConfigError) as info:
        load_pack(load_config([], cfg, discover=False))
    assert reason in info.value.reason
    assert info.value.file == str(ruleset)
    assert info.value.line is not None and info.value.line >= 1


def test_ruleset_cycle(tmp_path: Path) -> None:
    write(tmp_path / "a.toml", '[ruleset]\nextends = ["b.toml"]\n')
    write(tmp_path / "b.toml", '[ruleset]\nextends = ["a.toml"]\n')
    cfg = write(tmp_path / "cslint.toml", 'extends = ["a.toml"]\n')
    with pytest.raises(ConfigError, match="cycle"):
        load_pack(load_config([], cfg, discover=False))


def test_defaults_without_any_file() -> None:
    config = load_config([], None, discover=False)
    assert config == Config(base_dir=config.base_dir)
    assert len(load_pack(config).rules) == 22
