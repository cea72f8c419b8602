"""Settings: defaults, the environment, file loading and every kind of bad value."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from bot.config import (
    PROJECT_ROOT,
    ConfigError,
    FileSettings,
    Settings,
    load_settings,
)

EXAMPLE = PROJECT_ROOT / "config.example.yaml"


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert info.value.file == path
    return [str(problem) for problem in info.value.problems]


def test_defaults_with_no_file() -> None:
    settings = load_settings(None, env={})
    assert settings.config_file is None
    assert settings.token is None
    assert settings.discord.dev_guild_id is None
    assert settings.discord.owner_ids == ()
    assert settings.database.path == PROJECT_ROOT / "data" / "summitbot.db"
    assert settings.content.path == PROJECT_ROOT / "content"
    assert settings.digest.default_time == dt.time(9, 0)
    assert settings.digest.default_timezone == "UTC"
    assert settings.digest.misfire_grace_hours == 6
    assert settings.digest.global_rate_per_second == 50
    assert settings.logging.level == "INFO"
    assert settings.logging.json_format is False
    assert settings.health.enabled is False
    assert (settings.health.host, settings.health.port) == ("127.0.0.1", 8080)


def test_settings_are_frozen() -> None:
    settings = load_settings(None, env={})
    with pytest.raises(ValueError, match="frozen"):
        settings.digest.default_timezone = "Asia/Shanghai"  # type: ignore[misc]


def test_token_comes_from_the_environment() -> None:
    settings = load_settings(None, env={"DISCORD_TOKEN": "  abc.def.ghi \n"})
    assert settings.token is not None
    assert settings.require_token() == "abc.def.ghi"


def test_missing_token_is_a_config_error_only_when_required() -> None:
    settings = load_settings(None, env={"DISCORD_TOKEN": ""})
    assert settings.token is None
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        settings.require_token()


def test_token_never_in_repr_str_or_dumps() -> None:
    secret = "MTIzNDU2Nzg5.secret-token-value"
    settings = load_settings(None, env={"DISCORD_TOKEN": secret})
    assert secret not in repr(settings)
    assert secret not in str(settings)
    assert secret not in settings.model_dump_json()
    assert secret not in str(settings.model_dump())


def test_token_in_the_file_is_refused(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "discord:\n  token: abc\n"))
    assert found == [
        "line 2: discord.token: unknown key; the token comes from the DISCORD_TOKEN "
        "environment variable only"
    ]


def test_config_path_from_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "digest:\n  default_timezone: Asia/Shanghai\n")
    settings = load_settings(None, env={"SUMMITBOT_CONFIG": str(path)})
    assert settings.config_file == path
    assert settings.digest.default_timezone == "Asia/Shanghai"


def test_explicit_path_wins_over_environment(tmp_path: Path) -> None:
    chosen = write(tmp_path, "logging:\n  level: debug\n", "a.yaml")
    other = write(tmp_path, "logging:\n  level: error\n", "b.yaml")
    settings = load_settings(chosen, env={"SUMMITBOT_CONFIG": str(other)})
    assert settings.logging.level == "DEBUG"


def test_missing_config_file(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope.yaml") == ["(file): config file not found"]


def test_relative_paths_resolve_against_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = tmp_path / "etc"
    sub.mkdir()
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # not the file's folder: the working directory plays no part
    path = write(sub, "database:\n  path: ../db/bot.db\ncontent:\n  path: packs\n")
    settings = load_settings(path, env={})
    assert settings.database.path == sub / "../db/bot.db"
    assert settings.content.path == sub / "packs"
    absolute = write(tmp_path, f"content:\n  path: {tmp_path / 'x'}\n", "abs.yaml")
    assert load_settings(absolute, env={}).content.path == tmp_path / "x"


def test_full_valid_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
discord:
  dev_guild_id: "123456789012345678"
  api_base: http://127.0.0.1:8080/api/v10/
  gateway_url: ws://127.0.0.1:8080/gateway
  shard_count: 4
  shard_ids: [0, 2]
  owner_ids: [1, 2]
digest:
  default_time: 21:30
  default_timezone: Europe/Berlin
  misfire_grace_hours: 1.5
  global_rate_per_second: 10
logging: {level: warning, json: true}
health: {enabled: true, host: 0.0.0.0, port: 9000}
""",
    )
    s = load_settings(path, env={})
    assert s.discord.dev_guild_id == 123456789012345678
    assert s.discord.api_base == "http://127.0.0.1:8080/api/v10"
    assert s.discord.gateway_url == "ws://127.0.0.1:8080/gateway"
    assert (s.discord.shard_count, s.discord.shard_ids) == (4, (0, 2))
    assert s.discord.owner_ids == (1, 2)
    # Unquoted 21:30 is a sexagesimal integer in YAML 1.1; the loader keeps it a time.
    assert s.digest.default_time == dt.time(21, 30)
    assert s.digest.default_timezone == "Europe/Berlin"
    assert s.digest.misfire_grace_hours == 1.5
    assert s.logging.level == "WARNING"
    assert s.logging.json_format is True
    assert s.health.port == 9000


def test_empty_file_and_empty_sections_mean_defaults(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, ""), env={}).digest.default_time == dt.time(9, 0)
    settings = load_settings(write(tmp_path, "digest:\nlogging:\n", "b.yaml"), env={})
    assert settings.logging.level == "INFO"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "digest:\n  default_time: '25:00'\n",
            "line 2: digest.default_time: expected HH:MM, got '25:00'",
        ),
        (
            "digest:\n  default_time: 25:00\n",
            "line 2: digest.default_time: expected HH:MM, got '25:00'",
        ),
        (
            "digest:\n  default_time: noon\n",
            "line 2: digest.default_time: expected HH:MM, got 'noon'",
        ),
        ("digest:\n  default_time: 900\n", "line 2: digest.default_time: expected HH:MM, got 900"),
        (
            "digest:\n  default_timezone: Mars/Olympus\n",
            "line 2: digest.default_timezone: unknown IANA timezone 'Mars/Olympus'",
        ),
        (
            "digest:\n  default_timezone: ../etc/passwd\n",
            "line 2: digest.default_timezone: unknown IANA timezone '../etc/passwd'",
        ),
        (
            "digest:\n  misfire_grace_hours: -1\n",
            "line 2: digest.misfire_grace_hours: Input should be greater than or equal to 0",
        ),
        (
            "digest:\n  global_rate_per_second: 0\n",
            "line 2: digest.global_rate_per_second: Input should be greater than 0",
        ),
        (
            "logging:\n  level: LOUD\n",
            "line 2: logging.level: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, "
            "got 'LOUD'",
        ),
        ("logging:\n  json: maybe\n", "line 2: logging.json: Input should be a valid boolean"),
        ("health:\n  port: 70000\n", "line 2: health.port: Input should be less than or equal"),
        (
            "discord:\n  dev_guild_id: abc\n",
            "line 2: discord.dev_guild_id: Input should be a valid",
        ),
        ("discord:\n  dev_guild_id: true\n", "line 2: discord.dev_guild_id: expected an integer"),
        (
            "discord:\n  owner_ids: [1, -5]\n",
            "line 2: discord.owner_ids.1: Input should be greater",
        ),
        (
            "discord:\n  api_base: ftp://example.com\n",
            "line 2: discord.api_base: expected an http:// or https:// URL, got 'ftp://example.com'",
        ),
        (
            "discord:\n  gateway_url: http://example.com\n",
            "line 2: discord.gateway_url: expected an ws:// or wss:// URL",
        ),
        ("discord:\n  shard_ids: [0]\n", "line 2: discord.shard_ids: requires discord.shard_count"),
        (
            "discord:\n  shard_count: 2\n  shard_ids: [0, 2]\n",
            "line 3: discord.shard_ids: shard ids must be < shard_count (2), got [2]",
        ),
        (
            "discord:\n  shard_count: 2\n  shard_ids: [1, 1]\n",
            "line 3: discord.shard_ids: shard ids must be unique",
        ),
        ("discord:\n  shard_idz: [0]\n", "line 2: discord.shard_idz: unknown key"),
        ("discrod:\n  dev_guild_id: 1\n", "line 1: discrod: unknown key"),
        ("digest: 5\n", "line 1: digest: expected a mapping"),
        ("- a\n- b\n", "line 1: (root): expected a mapping of sections"),
        ("database:\n  path: ''\n", "line 2: database.path: expected a path"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, expected: str) -> None:
    found = problems(write(tmp_path, text))
    assert len(found) == 1, found
    assert found[0].startswith(expected), found


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "digest:\n  default_time: '25:00'\n  default_timezone: Nowhere\n"
        "logging:\n  level: LOUD\nextra: 1\n",
    )
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    keys = [p.key for p in info.value.problems]
    assert keys == ["digest.default_time", "digest.default_timezone", "logging.level", "extra"]
    text = str(info.value)
    assert str(path) in text
    assert f"{path}:2: digest.default_time: expected HH:MM, got '25:00'" in text
    assert f"{path}:6: extra: unknown key" in text


def test_yaml_syntax_error_has_the_line(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "digest:\n  default_time: '09:00\nlogging:\n  level: INFO\n"))
    assert len(found) == 1
    assert found[0].startswith("line ")
    assert "(yaml): YAML syntax error" in found[0]
    found = problems(write(tmp_path, "discord:\n  owner_ids: [1, 2\n", "b.yaml"))
    assert found[0].startswith("line 3: (yaml): YAML syntax error")


def _leaf_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        key = prefix + (field.alias or name)
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys |= _leaf_keys(annotation, key + ".")
        else:
            keys.add(key)
    return keys


def _yaml_leaf_keys(data: dict[str, object], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, value in data.items():
        if isinstance(value, dict):
            keys |= _yaml_leaf_keys(value, f"{prefix}{name}.")
        else:
            keys.add(prefix + name)
    return keys


def test_example_file_documents_every_key() -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert _yaml_leaf_keys(data) == _leaf_keys(FileSettings)
    # The token and the file's own path are not file keys.
    assert set(Settings.model_fields) - set(FileSettings.model_fields) == {"token", "config_file"}


def test_example_file_gives_exactly_the_defaults() -> None:
    from_example = load_settings(EXAMPLE, env={})
    assert from_example.config_file == EXAMPLE
    assert from_example.model_copy(update={"config_file": None}) == load_settings(None, env={})


def test_every_example_key_has_a_comment() -> None:
    lines = [ln.strip() for ln in EXAMPLE.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln]
    for previous, line in itertools.pairwise(lines):
        if not line.startswith("#") and not line.endswith(":"):
            assert previous.startswith("#"), f"undocumented key: {line}"


def test_a_token_pasted_under_another_key_is_not_echoed(tmp_path: Path) -> None:
    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.fake-token-value-for-tests"
    path = write(tmp_path, f"health:\n  host: 1\n  port: '{token}'\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={"DISCORD_TOKEN": token})
    text = str(info.value)
    assert "health.port" in text
    assert token not in text
    assert "[redacted]" in text


def test_a_stand_in_token_does_not_garble_error_messages(tmp_path: Path) -> None:
    # `DISCORD_TOKEN=x summitbot check` printed "e[redacted]pected one of ...".
    path = write(tmp_path, "logging:\n  level: LOUD\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={"DISCORD_TOKEN": "x"})
    assert "expected one of" in str(info.value)
    assert "[redacted]" not in str(info.value)


def test_the_example_copied_anywhere_gives_the_defaults_from_any_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "etc" / "summitbot" / "config.yaml"
    copy.parent.mkdir(parents=True)
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = load_settings(copy, env={})
    assert settings.model_copy(update={"config_file": None}) == load_settings(None, env={})
    assert settings.content.path == PROJECT_ROOT / "content"
    assert settings.database.path == PROJECT_ROOT / "data" / "summitbot.db"


def test_null_path_means_the_default(tmp_path: Path) -> None:
    path = write(tmp_path, "database:\n  path: null\ncontent:\n  path:\n")
    settings = load_settings(path, env={})
    assert settings.database.path == PROJECT_ROOT / "data" / "summitbot.db"
    assert settings.content.path == PROJECT_ROOT / "content"


def test_a_key_given_twice_names_the_key_and_both_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "logging:\n  level: INFO\n  json: false\n  level: DEBUG\nhealth: {}\nlogging: {}\n",
    )
    assert problems(path) == [
        "line 4: logging.level: key given twice (lines 2 and 4); keep one",
        "line 6: logging: key given twice (lines 1 and 6); keep one",
    ]
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert f"{path}:4: logging.level: key given twice (lines 2 and 4)" in str(info.value)


def test_a_tab_in_the_indentation_says_tabs(tmp_path: Path) -> None:
    path = write(tmp_path, "logging:\n  level: INFO\n\tjson: true\n")
    assert problems(path) == [
        "line 3: (yaml): tabs are not allowed in YAML indentation; indent with spaces"
    ]


#: Nine lines that expand to 9**8 ≈ 43 million strings if the aliases are followed.
ALIAS_BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_an_alias_bomb_is_refused_fast_and_small(tmp_path: Path) -> None:
    import tracemalloc

    path = write(tmp_path, "logging:\n  level: INFO\n" + ALIAS_BOMB)
    tracemalloc.start()
    try:
        found = problems(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == [
        "line 3: (yaml): YAML anchors and aliases are not allowed (found anchor &a); "
        "write the value out in full"
    ]
    assert peak < 5 * 2**20


def test_an_alias_alone_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "health:\n  host: 127.0.0.1\n  port: *p\n")
    assert problems(path) == [
        "line 3: (yaml): YAML anchors and aliases are not allowed (found alias *p); "
        "write the value out in full"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "discord:\n  owner_ids: " + "[" * 5000 + "]" * 5000 + "\n",
        "discord:\n  owner_ids: " + "[" * 5000 + "\n",
        "discord:\n  owner_ids: " + "[" * 900 + "]" * 900 + "\n",
        "".join("  " * depth + f"k{depth}:\n" for depth in range(300)),
    ],
)
def test_deep_nesting_is_one_problem_not_a_recursion_error(tmp_path: Path, text: str) -> None:
    found = problems(write(tmp_path, text))
    assert len(found) == 1
    assert found[0].startswith("line ")
    assert found[0].endswith("(yaml): nested deeper than 32 levels")


def test_long_bad_values_are_cut(tmp_path: Path) -> None:
    long = "x" * 5000
    path = write(tmp_path, f"logging:\n  level: {long}\nhealth:\n  port: {long}\n{long[:900]}: 1\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    text = str(info.value)
    assert len(text) < 1000
    cut = "'" + "x" * 78 + "…"
    assert (
        f"logging.level: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got {cut}" in text
    )
    assert f"{'x' * 79}…: unknown key" in text


def test_problems_without_a_line_print_no_zero(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path / "nope.yaml", env={})
    nope = tmp_path / "nope.yaml"
    assert str(info.value) == f"invalid configuration: {nope}: (file): config file not found"
    two = write(tmp_path, "logging:\n  level: loud\nhealth:\n  port: 0\n")
    with pytest.raises(ConfigError) as info:
        load_settings(two, env={})
    assert str(info.value).splitlines()[0] == f"invalid configuration in {two}:"
    assert ":0:" not in str(info.value)


def test_a_long_key_given_twice_is_cut(tmp_path: Path) -> None:
    key = "k" * 300
    path = write(tmp_path, f"health:\n  {key}: 1\n  {key}: 2\n")
    assert problems(path) == [
        f"line 3: health.{'k' * 79}…: key given twice (lines 2 and 3); keep one"
    ]
