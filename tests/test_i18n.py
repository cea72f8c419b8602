"""UI strings: locale parity, lookups with fallback, and the app-command translator."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.app_commands import TranslationContext
from discord.app_commands import TranslationContextLocation as Location

import bot.i18n as i18n
from bot.catalog.models import Lang
from bot.i18n import SummitTranslator, command_key, lang_for_locale, placeholders, strings, t
from bot.store import DisableReason, Reason

BOT = Path(i18n.__file__).resolve().parent


def test_both_locales_have_the_same_keys() -> None:
    # Command strings are Chinese only (their English is in the decorators; see
    # tests/exts/test_command_tree.py): every other key is in both files.
    en = set(strings("en"))
    zh = {key for key in strings("zh") if not key.startswith("commands.")}
    assert en == zh, {"only en": en - zh, "only zh": zh - en}


def test_both_locales_use_the_same_placeholders() -> None:
    en, zh = strings("en"), strings("zh")
    for key, template in en.items():
        assert placeholders(template) == placeholders(zh[key]), key


def test_every_string_is_non_empty_and_formats() -> None:
    for lang in ("en", "zh"):
        for key, template in strings(lang).items():
            assert template.strip(), (lang, key)
            values = dict.fromkeys(placeholders(template), "x")
            template.format(**values)  # raises on malformed braces


def test_chinese_strings_use_full_width_punctuation_after_chinese() -> None:
    for key, text in strings("zh").items():
        assert not re.search(r"[\u4e00-\u9fff][,:;?!]", text), (key, text)


def test_every_key_the_code_uses_exists() -> None:
    en = strings("en")
    used: set[str] = set()
    for path in BOT.rglob("*.py"):
        used |= set(re.findall(r"\bt\(\s*\"([a-z_]+(?:\.[a-z_-]+)+)\"", path.read_text("utf-8")))
    # Keys built at run time.
    used |= {f"errors.unknown_{kind}" for kind in ("speaker", "term", "topic", "quote")}
    used |= {f"attendance.{a}" for a in ("in-person", "remote")}
    used |= {
        f"help.{s}{suffix}" for s in ("commands", "explain", "digest") for suffix in ("", "_title")
    }
    # A digest reason's words are keyed by its code (bot.exts.digest._text.reason_words).
    used |= {f"digest.reasons.{reason.value}" for reason in Reason}
    used |= {f"digest.reasons.{reason.value}" for reason in DisableReason}
    assert used, "no t() calls found"
    assert sorted(used - set(en)) == []


def test_t_formats_and_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    assert t("errors.unknown_term", "en", query="RLVF") == "No term matches 'RLVF'."
    assert t("errors.unknown_term", "zh", query="RLVF") == "没有与“RLVF”匹配的术语。"
    # Missing placeholders stay visible instead of raising.
    assert t("errors.unknown_term", "en") == "No term matches '{query}'."
    assert t("no.such.key", "zh") == "no.such.key"

    tables: Mapping[str, Mapping[str, str]] = {
        "en": {"only.en": "English {n}", "both": "en"},
        "zh": {"both": "中"},
    }

    def fake(lang: Lang) -> Mapping[str, str]:
        return tables[lang]

    monkeypatch.setattr(i18n, "strings", fake)
    assert t("only.en", "zh", n=3) == "English 3"
    assert t("both", "zh") == "中"


@pytest.mark.parametrize(
    ("locale", "lang"),
    [
        (discord.Locale.chinese, "zh"),
        (discord.Locale.taiwan_chinese, "zh"),
        (discord.Locale.american_english, "en"),
        (discord.Locale.japanese, "en"),
        ("zh-CN", "zh"),
        ("zh_TW", "zh"),
        ("en-GB", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_lang_for_locale(locale: str | discord.Locale | None, lang: Lang) -> None:
    assert lang_for_locale(locale) == lang


# --- the translator -------------------------------------------------------------------------


@app_commands.command(name="help", description="What this bot does and how to use it")
async def help_command(interaction: discord.Interaction[Any]) -> None:
    """Stand-in for the real /help."""


@app_commands.command(name="quote", description="Show a quote from the summit")
@app_commands.describe(speaker="Only quotes by this speaker")
@app_commands.choices(
    language=[app_commands.Choice(name="Chinese", value="zh")],
)
async def quote_command(
    interaction: discord.Interaction[Any], speaker: str, language: str = "en"
) -> None:
    """Stand-in for the real /quote."""


digest_group = app_commands.Group(name="digest", description="Daily quote settings")


@digest_group.command(name="set", description="Post a daily quote")
async def digest_set(interaction: discord.Interaction[Any]) -> None:
    """Stand-in for /digest set."""


async def explain(interaction: discord.Interaction[Any], message: discord.Message) -> None:
    """Stand-in for the message context menu."""


explain_menu = app_commands.ContextMenu(name="Explain terms", callback=explain)


def test_command_keys() -> None:
    speaker = quote_command.parameters[0]
    language = quote_command.parameters[1]
    choice = language.choices[0]
    cases: list[tuple[TranslationContext[Any, Any], str | None]] = [
        (TranslationContext(Location.command_name, help_command), "commands.help.name"),
        (
            TranslationContext(Location.command_description, quote_command),
            "commands.quote.description",
        ),
        (
            TranslationContext(Location.parameter_name, speaker),
            "commands.quote.options.speaker.name",
        ),
        (
            TranslationContext(Location.parameter_description, speaker),
            "commands.quote.options.speaker.description",
        ),
        (TranslationContext(Location.group_name, digest_group), "commands.digest.name"),
        (TranslationContext(Location.command_name, digest_set), "commands.digest.set.name"),
        (
            TranslationContext(Location.command_description, digest_set),
            "commands.digest.set.description",
        ),
        (TranslationContext(Location.command_name, explain_menu), "commands.explain_terms.name"),
        (TranslationContext(Location.choice_name, choice), "choices.Chinese"),
        (TranslationContext(Location.other, None), None),
    ]
    for context, key in cases:
        assert command_key(context) == key


async def test_translator_localizes_help_to_chinese_only() -> None:
    translator = SummitTranslator()
    name = TranslationContext(Location.command_name, help_command)
    description = TranslationContext(Location.command_description, help_command)
    assert (
        await translator.translate(app_commands.locale_str("help"), discord.Locale.chinese, name)
        == "帮助"
    )
    assert (
        await translator.translate(
            app_commands.locale_str(help_command.description),
            discord.Locale.taiwan_chinese,
            description,
        )
        == strings("zh")["commands.help.description"]
    )
    for locale in (
        discord.Locale.american_english,
        discord.Locale.british_english,
        discord.Locale.french,
    ):
        assert await translator.translate(app_commands.locale_str("help"), locale, name) is None


@app_commands.command(name="unlocalized", description="A command nobody translated")
async def unlocalized(interaction: discord.Interaction[Any]) -> None:
    """Stand-in for a command without a zh-CN entry."""


async def test_translator_returns_none_without_a_translation() -> None:
    translator = SummitTranslator()
    context = TranslationContext(Location.command_name, unlocalized)
    message = app_commands.locale_str("unlocalized")
    assert await translator.translate(message, discord.Locale.chinese, context) is None


async def test_translator_prefers_the_explicit_key_then_where_the_string_sits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = {
        "commands.custom.key": "自定义",
        "commands.help.name": "帮助",
        "commands.Some message": "某条消息",
    }
    monkeypatch.setattr(i18n, "strings", lambda lang: table)
    translator = SummitTranslator()
    name = TranslationContext(Location.command_name, help_command)
    keyed = app_commands.locale_str("help", key="commands.custom.key")
    assert await translator.translate(keyed, discord.Locale.chinese, name) == "自定义"
    plain = app_commands.locale_str("help")
    assert await translator.translate(plain, discord.Locale.chinese, name) == "帮助"
    # The message itself is never a key: a string with no place and no key stays English.
    other = TranslationContext(Location.other, None)
    message = app_commands.locale_str("Some message")
    assert await translator.translate(message, discord.Locale.chinese, other) is None


async def test_translator_on_a_real_tree_sync_payload() -> None:
    """The translator plugs into discord.py: the help command's payload carries zh-CN."""
    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)
    tree.add_command(help_command)
    await tree.set_translator(SummitTranslator())
    translator = tree.translator
    assert translator is not None
    payload = await help_command.get_translated_payload(tree, translator)
    assert payload["name_localizations"] == {"zh-CN": "帮助", "zh-TW": "帮助"}
    assert (
        payload["description_localizations"]["zh-CN"] == strings("zh")["commands.help.description"]
    )
    await client.close()
