"""UI strings by stable key, and the app-command translator (English source, zh-CN translation).

UI strings live in `bot/locales/en-US.yaml` and `bot/locales/zh-CN.yaml`, one nested mapping per
file; nested keys are addressed with dots (`errors.unknown_term`). Placeholders use
`str.format` syntax (`{query}`) and are filled by `t(key, lang, **kwargs)`; a translation
never contains code. Both files hold the same UI keys with the same placeholders (a test
checks). A key missing from the Chinese file falls back to English; a key missing everywhere
renders as the key itself, so a lookup never raises.

Command names, descriptions, options and choices have one English source: the decorators
(`@app_commands.command(name=..., description=...)`, `describe`, `Choice`), which are what
Discord shows by default. Their Chinese lives in zh-CN.yaml's `commands:` block only, found by
the translator under the `key` extra of the `locale_str` when it has one
(`locale_str("Chinese", key="commands.digest.set.choices.zh")`), else under the key derived
from where the string sits (examples after the arrow):

    commands.<command>.name                     → commands.quote.name
    commands.<command>.description
    commands.<group>.<sub>.name                 → commands.digest.set.name  (/digest set)
    commands.<group>.<sub>.description
    commands.<command>.options.<option>.name    → commands.quote.options.speaker.name
    commands.<command>.options.<option>.description
    commands.<menu>.name                        → commands.explain_terms.name  ("Explain terms")
    choices.<choice name>                       → choices.Chinese  (Choice(name="Chinese"))

(group names use the same `.name`/`.description` keys as commands). The translator returns
None for every locale but Chinese, and for Chinese when the key is absent, so Discord shows the
English default. A test checks that every command string has its Chinese and that the block
holds nothing the commands don't read.
"""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import discord
import yaml
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Location

from bot.catalog.models import Lang

__all__ = [
    "LOCALE_FILES",
    "SummitTranslator",
    "command_key",
    "lang_for_locale",
    "placeholders",
    "strings",
    "t",
    "translation_key",
]

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LOCALE_FILES: Mapping[Lang, Path] = {
    "en": LOCALES_DIR / "en-US.yaml",
    "zh": LOCALES_DIR / "zh-CN.yaml",
}


def _lang_of(locale: str) -> Lang:
    return "zh" if locale.strip().lower().replace("_", "-").startswith("zh") else "en"


#: Every locale Discord knows, decided once (every interaction asks).
_LANG_BY_LOCALE: Mapping[discord.Locale, Lang] = {
    locale: _lang_of(locale.value) for locale in discord.Locale
}


def lang_for_locale(locale: str | discord.Locale | None) -> Lang:
    """The response language for a Discord locale: Chinese for zh-CN/zh-TW, else English."""
    if isinstance(locale, discord.Locale):
        return _LANG_BY_LOCALE[locale]
    return "en" if locale is None else _lang_of(str(locale))


def _flatten(data: Mapping[str, Any], prefix: str, out: dict[str, str], file: Path) -> None:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _flatten(value, dotted + ".", out, file)
        elif isinstance(value, str):
            out[dotted] = value
        else:
            raise ValueError(f"{file}: {dotted}: expected a string, got {value!r}")


@cache
def strings(lang: Lang) -> Mapping[str, str]:
    """Every UI string of a language, by dotted key (read once, on first use)."""
    file = LOCALE_FILES[lang]
    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{file}: expected a mapping of keys")
    out: dict[str, str] = {}
    _flatten(data, "", out, file)
    return out


def placeholders(template: str) -> frozenset[str]:
    """The `{name}` fields a template uses."""
    return frozenset(
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in string.Formatter().parse(template)
        if field
    )


class _KeepMissing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(key: str, lang: Lang, /, **kwargs: Any) -> str:
    """The UI string `key` in `lang` (falling back to English), formatted with `kwargs`."""
    template = strings(lang).get(key)
    if template is None and lang != "en":
        template = strings("en").get(key)
    if template is None:
        log.warning("missing UI string %r", key)
        return key
    try:
        return template.format_map(_KeepMissing(kwargs))
    except (ValueError, IndexError, AttributeError, KeyError):
        log.warning("malformed UI string %r in %s", key, lang)
        return template


def _slug(name: str) -> str:
    return re.sub(r"\s+", "_", name.strip().lower())


def command_key(context: app_commands.TranslationContextTypes) -> str | None:
    """The `commands.` / `choices.` key for a string from where it sits; None for `other`."""
    location, data = context.location, context.data
    if location in (Location.command_name, Location.group_name):
        return f"commands.{_qualified(data)}.name"
    if location in (Location.command_description, Location.group_description):
        return f"commands.{_qualified(data)}.description"
    if isinstance(data, app_commands.Parameter):
        suffix = "name" if location is Location.parameter_name else "description"
        return f"commands.{_qualified(data.command)}.options.{data.name}.{suffix}"
    if isinstance(data, app_commands.Choice):
        return f"choices.{data.name}"
    return None


def _qualified(command: Any) -> str:
    if isinstance(command, app_commands.ContextMenu):
        return _slug(command.name)
    return ".".join(_slug(part) for part in str(command.qualified_name).split())


def translation_key(
    string: app_commands.locale_str, context: app_commands.TranslationContextTypes
) -> str | None:
    """Where the Chinese of a command string lives: its explicit `key`, else `command_key`."""
    key = string.extras.get("key")
    return key if isinstance(key, str) else command_key(context)


class SummitTranslator(app_commands.Translator):
    """Localizes command names, descriptions, options and choices from zh-CN.yaml."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if lang_for_locale(locale) != "zh":
            return None  # English is the source language: the decorators' strings.
        key = translation_key(string, context)
        return None if key is None else strings("zh").get(key)
