"""One typed, frozen settings object built from an optional YAML file and the environment.

The config file is optional: with no file every default applies. Its path comes from the
`--config` CLI flag or the `SUMMITBOT_CONFIG` environment variable. Relative paths inside the
file resolve against the file's directory (so a file means the same from any working
directory); `null` or no key means the default, which resolves against the project root (the
folder holding `bot/`), never the working directory. The file is plain YAML: anchors, aliases,
deep nesting and a key given twice are refused (`bot.yamlguard`). The bot token comes from
the environment variable `DISCORD_TOKEN` only and is kept as a `SecretStr`, so it never shows
in a repr, a str or a dump.

Every problem in a file is reported at once as a `ConfigError`, each naming the dotted key and,
where the key is in the file, its line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

import bot
from bot.digest.due import parse_post_time
from bot.yamlguard import UnsafeYaml, echo, scan_events, syntax_problem
from bot.yamllines import LineDict, LineLoader, line_of

__all__ = [
    "CONFIG_ENV",
    "PROJECT_ROOT",
    "TOKEN_ENV",
    "ConfigError",
    "ConfigProblem",
    "ContentSettings",
    "DatabaseSettings",
    "DigestSettings",
    "DiscordSettings",
    "FileSettings",
    "HealthSettings",
    "LoggingSettings",
    "Settings",
    "load_settings",
    "resolve_config_path",
]

TOKEN_ENV = "DISCORD_TOKEN"
#: Shorter values are not redacted as secrets: a real bot token is about 70 characters, and
#: replacing a stand-in like "x" would garble every message it occurs in.
MIN_SECRET_LENGTH = 8
CONFIG_ENV = "SUMMITBOT_CONFIG"

# The folder holding the `bot` package: the repository root in a checkout or editable install.
PROJECT_ROOT = Path(bot.__file__).resolve().parents[1]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class ConfigProblem:
    """One problem with the configuration: the dotted key, what is wrong, and where."""

    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.key}: {self.message}"


class ConfigError(Exception):
    """The configuration is invalid; `problems` lists every problem at once."""

    def __init__(self, problems: Sequence[ConfigProblem], file: Path | None = None) -> None:
        self.problems: tuple[ConfigProblem, ...] = tuple(problems)
        self.file = file
        super().__init__(self._render())

    def _render(self) -> str:
        # One problem is one line (`file:line: key: message`); several get a header line.
        # A problem without a line never prints `:0:` or an empty place.
        if len(self.problems) == 1:
            return f"invalid configuration: {self._place(self.problems[0], bare=False)}"
        where = f" in {self.file}" if self.file is not None else ""
        lines = [f"invalid configuration{where}:"]
        lines.extend(f"  {self._place(problem, bare=True)}" for problem in self.problems)
        return "\n".join(lines)

    def _place(self, problem: ConfigProblem, *, bare: bool) -> str:
        what = f"{problem.key}: {problem.message}"
        if self.file is None:
            return what
        if problem.line:
            return f"{self.file}:{problem.line}: {what}"
        return what if bare else f"{self.file}: {what}"


# --- value types ------------------------------------------------------------------------


def _shown(value: Any) -> str:
    """A bad value as echoed in a problem: its repr, cut to `bot.yamlguard.ECHO_LIMIT`."""
    return echo(repr(value))


def _reject_bool(value: Any) -> Any:
    # YAML `yes`/`true` would otherwise pass as the integer 1.
    if isinstance(value, bool):
        raise PydanticCustomError(
            "int_type", "expected an integer, got {got}", {"got": _shown(value)}
        )
    return value


def _clock_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    parsed = parse_post_time(value) if isinstance(value, str) else None
    if parsed is None:
        raise PydanticCustomError("clock_time", "expected HH:MM, got {got}", {"got": _shown(value)})
    return parsed


def _timezone(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError(
            "timezone", "expected an IANA timezone name, got {got}", {"got": _shown(value)}
        )
    name = value.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "timezone",
            "unknown IANA timezone {got} (e.g. UTC, Europe/Berlin, Asia/Shanghai)",
            {"got": _shown(name)},
        ) from None
    return name


def _log_level(value: Any) -> str:
    if isinstance(value, str) and value.strip().upper() in LOG_LEVELS:
        return value.strip().upper()
    raise PydanticCustomError(
        "log_level",
        "expected one of {levels}, got {got}",
        {"levels": ", ".join(LOG_LEVELS), "got": _shown(value)},
    )


def _url(schemes: tuple[str, ...]) -> Any:
    def check(value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str) or not re.match(
            rf"^(?:{'|'.join(schemes)})://[^\s/]+(?:/\S*)?$", value.strip()
        ):
            raise PydanticCustomError(
                "url",
                "expected an {schemes} URL, got {got}",
                {"schemes": " or ".join(f"{s}://" for s in schemes), "got": _shown(value)},
            )
        return value.strip().rstrip("/")

    return check


def _path(value: Any, info: ValidationInfo) -> Path:
    if not isinstance(value, str | Path) or not str(value).strip():
        raise PydanticCustomError("path", "expected a path, got {got}", {"got": _shown(value)})
    path = Path(str(value).strip()).expanduser()
    if not path.is_absolute():
        base = (info.context or {}).get("base_dir", PROJECT_ROOT)
        path = Path(base) / path
    return path


Snowflake = Annotated[int, BeforeValidator(_reject_bool), Field(gt=0, lt=2**64)]
ClockTime = Annotated[
    dt.time,
    BeforeValidator(_clock_time),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
]
TimezoneName = Annotated[str, BeforeValidator(_timezone)]
LogLevel = Annotated[str, BeforeValidator(_log_level)]
HttpUrl = Annotated[str | None, BeforeValidator(_url(("http", "https")))]
WsUrl = Annotated[str | None, BeforeValidator(_url(("ws", "wss")))]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=False)


# --- sections ---------------------------------------------------------------------------


class DiscordSettings(_Section):
    """How to reach Discord and who may run owner commands."""

    dev_guild_id: Snowflake | None = None
    api_base: HttpUrl = None
    gateway_url: WsUrl = None
    shard_count: Annotated[int, BeforeValidator(_reject_bool), Field(gt=0)] | None = None
    shard_ids: tuple[Annotated[int, BeforeValidator(_reject_bool), Field(ge=0)], ...] | None = None
    owner_ids: tuple[Snowflake, ...] = ()
    max_connect_attempts: Annotated[int, BeforeValidator(_reject_bool), Field(ge=1)] | None = None

    @field_validator("shard_ids")
    @classmethod
    def _shards_within_count(
        cls, value: tuple[int, ...] | None, info: ValidationInfo
    ) -> tuple[int, ...] | None:
        if value is None:
            return None
        if not value:
            raise PydanticCustomError("shard_ids", "must list at least one shard id")
        if len(set(value)) != len(value):
            raise PydanticCustomError("shard_ids", "shard ids must be unique")
        if "shard_count" not in info.data:
            return value  # shard_count itself is invalid and reported on its own.
        count = info.data["shard_count"]
        if count is None:
            raise PydanticCustomError("shard_ids", "requires discord.shard_count")
        too_big = [i for i in value if i >= count]
        if too_big:
            raise PydanticCustomError(
                "shard_ids",
                "shard ids must be < shard_count ({count}), got {got}",
                {"count": count, "got": echo(str(too_big))},
            )
        return value


def _null_means_default(value: Any) -> Any:
    # `path: null` (as config.example.yaml writes it) means "the default path".
    if isinstance(value, dict):
        return {key: item for key, item in value.items() if item is not None}
    return value


class DatabaseSettings(_Section):
    """Where the SQLite database lives."""

    _defaults = model_validator(mode="before")(_null_means_default)

    path: Annotated[Path, BeforeValidator(_path)] = Field(
        default_factory=lambda: PROJECT_ROOT / "data" / "summitbot.db"
    )


class ContentSettings(_Section):
    """Where the content packs live."""

    _defaults = model_validator(mode="before")(_null_means_default)

    path: Annotated[Path, BeforeValidator(_path)] = Field(
        default_factory=lambda: PROJECT_ROOT / "content"
    )


class DigestSettings(_Section):
    """Defaults for the daily digest."""

    default_time: ClockTime = dt.time(9, 0)
    default_timezone: TimezoneName = "UTC"
    misfire_grace_hours: Annotated[float, BeforeValidator(_reject_bool), Field(ge=0, le=24)] = 6.0
    global_rate_per_second: Annotated[int, BeforeValidator(_reject_bool), Field(gt=0)] = 50
    claim_lease_seconds: Annotated[float, BeforeValidator(_reject_bool), Field(ge=3, le=3600)] = (
        60.0
    )


class LoggingSettings(_Section):
    """Log level and format."""

    level: LogLevel = "INFO"
    # `json` in the file; renamed here because it would shadow BaseModel.json.
    json_format: bool = Field(default=False, alias="json")

    @property
    def level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.level]


class HealthSettings(_Section):
    """The optional HTTP health/metrics endpoint."""

    enabled: bool = False
    host: Annotated[str, Field(min_length=1)] = "127.0.0.1"
    port: Annotated[int, BeforeValidator(_reject_bool), Field(ge=1, le=65535)] = 8080


class FileSettings(BaseModel):
    """Everything the config file may set."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    content: ContentSettings = Field(default_factory=ContentSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)

    @field_validator("discord", "database", "content", "digest", "logging", "health", mode="before")
    @classmethod
    def _empty_section(cls, value: Any) -> Any:
        # A section written as `digest:` with nothing under it means "all defaults".
        return {} if value is None else value


class Settings(FileSettings):
    """The bot's settings: the file's sections plus the token and where they came from."""

    token: SecretStr | None = None
    config_file: Path | None = None

    def require_token(self) -> str:
        """The token's value; raises ConfigError when DISCORD_TOKEN isn't set."""
        if self.token is None:
            raise ConfigError([ConfigProblem(TOKEN_ENV, "environment variable is not set")])
        return self.token.get_secret_value()


# --- loading ----------------------------------------------------------------------------


class _Loader(LineLoader):
    """The line-tracking loader without YAML 1.1 sexagesimal numbers, so `21:30` stays the
    string '21:30'."""


_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT_TAG, _FLOAT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _INT_TAG,
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    _FLOAT_TAG,
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?"
        r"|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def resolve_config_path(path: Path | None, env: Mapping[str, str]) -> Path | None:
    """The config file to read: the explicit path, else $SUMMITBOT_CONFIG, else none."""
    if path is not None:
        return path
    from_env = env.get(CONFIG_ENV, "").strip()
    return Path(from_env) if from_env else None


def load_settings(path: Path | None = None, env: Mapping[str, str] = os.environ) -> Settings:
    """Build the settings from the config file (optional) and the environment.

    Raises ConfigError listing every problem.
    """
    file = resolve_config_path(path, env)
    data: Any = {}
    base_dir = PROJECT_ROOT
    if file is not None:
        file = file.expanduser().absolute()
        base_dir = file.parent
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError([ConfigProblem("(file)", "config file not found")], file) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError([ConfigProblem("(file)", f"cannot read: {exc}")], file) from None
        data = _parse_yaml(text, file)

    if data is None:
        data = {}
    if not isinstance(data, dict):
        line: int | None = getattr(data, "line", None)
        problem = ConfigProblem("(root)", "expected a mapping of sections", line)
        raise ConfigError([problem], file)

    try:
        parsed = FileSettings.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        problems = _problems(exc, data)
        secret = env.get(TOKEN_ENV, "").strip()
        if len(secret) >= MIN_SECRET_LENGTH:
            # A token pasted as some other key's value must not be echoed back.
            problems = [
                dataclasses.replace(p, message=p.message.replace(secret, "[redacted]"))
                for p in problems
            ]
        raise ConfigError(problems, file) from None

    raw_token = env.get(TOKEN_ENV, "").strip()
    return Settings(
        **{name: getattr(parsed, name) for name in FileSettings.model_fields},
        token=SecretStr(raw_token) if raw_token else None,
        config_file=file,
    )


def _parse_yaml(text: str, file: Path) -> Any:
    try:
        duplicates = scan_events(text, _Loader)
    except UnsafeYaml as exc:
        unsafe = ConfigProblem("(yaml)", exc.problem.message, exc.problem.line)
        raise ConfigError([unsafe], file) from None
    except yaml.YAMLError as exc:
        syntax = syntax_problem(exc, text)
        raise ConfigError([ConfigProblem("(yaml)", syntax.message, syntax.line)], file) from None
    if duplicates:
        raise ConfigError(
            [
                ConfigProblem(
                    ".".join(echo(str(part)) for part in (*d.path, d.key)),
                    f"key given twice (lines {d.first_line} and {d.line}); keep one",
                    d.line,
                )
                for d in duplicates
            ],
            file,
        )
    # The scan refused anchors, aliases and deep nesting: building is linear and shallow.
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        syntax = syntax_problem(exc, text)
        raise ConfigError([ConfigProblem("(yaml)", syntax.message, syntax.line)], file) from None
    finally:
        loader.dispose()


def _problems(exc: ValidationError, data: Any) -> list[ConfigProblem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        key = ".".join(echo(str(part)) for part in loc) or "(root)"
        if error["type"] == "extra_forbidden":
            message = "unknown key"
            if loc and loc[-1] == "token":
                message += f"; the token comes from the {TOKEN_ENV} environment variable only"
        elif error["type"] in {"model_type", "model_attributes_type"}:
            message = "expected a mapping"
        else:
            message = error["msg"]
            got = error.get("input")
            if error["type"] not in _SELF_DESCRIBING and not isinstance(got, dict | list):
                message += f", got {_shown(got)}"
        # The line of an unknown key is the key's; of a bad value, the value's.
        line = (
            line_of(data, loc, value=error["type"] != "extra_forbidden")
            if isinstance(data, LineDict)
            else None
        )
        problems.append(ConfigProblem(key, message, line))
    return sorted(problems, key=lambda p: (p.line or 0, p.key))


_SELF_DESCRIBING = {"clock_time", "timezone", "log_level", "url", "path", "shard_ids", "int_type"}
