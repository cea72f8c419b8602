"""Meta-test: walk every registered app command and check it against Discord's rules.

Names, descriptions, option order and count, a zh-CN localization for every string (itself
valid), autocomplete on every lookup option, and one source per string: the English in the
decorators only, the Chinese in zh-CN.yaml's `commands:` block, every entry of which a command
reads.
"""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from discord import app_commands

import bot.i18n as i18n
from bot.app import SummitBot, create_bot
from bot.config import load_settings
from bot.i18n import SummitTranslator, strings, translation_key


#: Discord's name rule, `^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$`, for the scripts we use.
def valid_name(name: str, *, lowercase: bool) -> bool:
    if not 1 <= len(name) <= 32:
        return False
    for ch in name:
        if ch in "-_'":
            continue
        if unicodedata.category(ch)[0] not in "LN":
            return False
    return not lowercase or name == name.lower()


#: Options that look something up in the catalog must offer autocomplete.
LOOKUP_OPTIONS = {
    ("quote", "speaker"),
    ("quote", "topic"),
    ("quote", "search"),
    ("quotes", "speaker"),
    ("quotes", "topic"),
    ("quotes", "search"),
    ("speaker", "name"),
    ("glossary", "term"),
}


@pytest.fixture
async def offline_bot(tmp_path: Path) -> AsyncIterator[SummitBot]:
    """The bot with content and extensions loaded, not connected (as `summitbot sync` does)."""
    settings = load_settings(None, env={})
    bot = create_bot(settings, runtime=False)
    await bot.setup_hook()
    try:
        yield bot
    finally:
        await bot.close()


async def payloads(bot: SummitBot) -> list[dict[str, Any]]:
    translator = SummitTranslator()
    return [
        await command.get_translated_payload(bot.tree, translator)
        for command in bot.tree.get_commands()
    ]


def walk_options(command: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(qualified command name, option) for every non-subcommand option."""
    out: list[tuple[str, dict[str, Any]]] = []

    def visit(prefix: str, options: list[dict[str, Any]]) -> None:
        for option in options:
            if option["type"] in (1, 2):  # subcommand, group
                visit(f"{prefix} {option['name']}", option.get("options", []))
            else:
                out.append((prefix, option))

    visit(command["name"], command.get("options", []))
    return out


async def test_every_command_obeys_discords_rules(offline_bot: SummitBot) -> None:
    commands = await payloads(offline_bot)
    assert commands
    for command in commands:
        chat_input = command.get("type", 1) == 1
        assert valid_name(command["name"], lowercase=chat_input) or not chat_input
        if chat_input:
            assert 1 <= len(command["description"]) <= 100, command["name"]
        assert len(command.get("options", [])) <= 25
        for _, option in walk_options(command):
            assert valid_name(option["name"], lowercase=True)
            assert 1 <= len(option["description"]) <= 100
            assert option["description"] != "…", f"{command['name']}.{option['name']} undescribed"
            assert len(option.get("choices", [])) <= 25
        required = [o.get("required", False) for _, o in walk_options(command)]
        assert required == sorted(required, reverse=True), "required options come first"


async def test_every_string_has_a_valid_chinese_localization(offline_bot: SummitBot) -> None:
    for command in await payloads(offline_bot):
        chat_input = command.get("type", 1) == 1
        zh_name = command["name_localizations"]["zh-CN"]
        assert valid_name(zh_name, lowercase=chat_input), zh_name
        if chat_input:
            assert 1 <= len(command["description_localizations"]["zh-CN"]) <= 100
        seen_names: set[tuple[str, str]] = set()
        for where, option in walk_options(command):
            zh = option["name_localizations"]["zh-CN"]
            assert valid_name(zh, lowercase=True), (where, zh)
            assert (where, zh) not in seen_names, f"duplicate localized option {zh} in {where}"
            seen_names.add((where, zh))
            assert 1 <= len(option["description_localizations"]["zh-CN"]) <= 100
            for choice in option.get("choices", []):
                assert choice["name_localizations"]["zh-CN"]


async def test_lookup_options_offer_autocomplete(offline_bot: SummitBot) -> None:
    found = set()
    for command in await payloads(offline_bot):
        for where, option in walk_options(command):
            if (where, option["name"]) in LOOKUP_OPTIONS:
                assert option.get("autocomplete") is True, (where, option["name"])
                found.add((where, option["name"]))
    assert found == LOOKUP_OPTIONS


async def test_every_command_string_has_chinese_and_every_chinese_is_read(
    offline_bot: SummitBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: dict[str, str] = {}  # key → the English it translates

    def recording(
        string: app_commands.locale_str, context: app_commands.TranslationContextTypes
    ) -> str | None:
        key = translation_key(string, context)
        assert key is not None, (string.message, context.location)
        asked[key] = string.message
        return key

    monkeypatch.setattr(i18n, "translation_key", recording)
    await payloads(offline_bot)
    chinese = {key for key in strings("zh") if key.startswith(("commands.", "choices."))}
    untranslated = {key: english for key, english in asked.items() if key not in chinese}
    assert untranslated == {}, "command strings without zh-CN in bot/locales/zh-CN.yaml"
    assert chinese - set(asked) == set(), "zh-CN command strings no command reads"


def test_english_command_strings_have_one_source() -> None:
    # The decorators are the English; a copy in en-US.yaml would drift from them unread.
    assert [key for key in strings("en") if key.startswith(("commands.", "choices."))] == []
