"""User text: every option bounded before the catalog reads it; every echo escaped and cut."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.ui.limits import MESSAGE_CONTENT, measure
from bot.ui.text import NAME_INPUT, SEARCH_INPUT, bound_options, echo, input_limit


def test_bound_options_cuts_every_string_option_in_place() -> None:
    data: dict[str, Any] = {
        "name": "quote",
        "options": [
            {"type": 3, "name": "search", "value": "\ufdfa" * 6_000, "focused": True},
            {"type": 3, "name": "speaker", "value": "x" * 6_000},
            {"type": 3, "name": "topic", "value": "agents"},
            {"type": 4, "name": "count", "value": 12},
        ],
    }
    bound_options(data)
    values = [option["value"] for option in data["options"]]
    assert values == ["\ufdfa" * SEARCH_INPUT, "x" * NAME_INPUT, "agents", 12]
    assert data["options"][0]["focused"] is True


def test_bound_options_reaches_subcommands_and_ignores_other_data() -> None:
    data: dict[str, Any] = {
        "name": "digest",
        "options": [
            {
                "type": 1,
                "name": "set",
                "options": [{"type": 3, "name": "timezone", "value": "A" * 6_000}],
            }
        ],
    }
    bound_options(data)
    assert data["options"][0]["options"][0]["value"] == "A" * NAME_INPUT
    bound_options(None)
    button = {"custom_id": "x" * 200, "component_type": 2}
    bound_options(button)
    assert button == {"custom_id": "x" * 200, "component_type": 2}


def test_input_limits() -> None:
    assert input_limit("search") == SEARCH_INPUT
    assert input_limit("name") == input_limit("term") == NAME_INPUT
    assert 100 <= NAME_INPUT < SEARCH_INPUT <= 500


@pytest.mark.parametrize(
    "typed", ["*" * 1_990, "_" * 1_990, "\\" * 1_990, "@everyone " * 199, "[x](https://e.x)" * 120]
)
def test_echo_is_escaped_and_bounded(typed: str) -> None:
    shown = echo(typed, 200)
    assert measure(shown) <= 200
    assert shown.endswith("…")
    head = shown.removesuffix("…")
    trailing = len(head) - len(head.rstrip("\\"))
    assert trailing % 2 == 0  # no lone backslash escaping the ellipsis
    assert "@everyone" not in shown
    assert re.search(r"(?<!\\)\[", shown) is None  # no bracket left to open a link


def test_echo_keeps_short_text_and_collapses_whitespace() -> None:
    assert echo("  **hi**\n  there ") == "\\*\\*hi\\*\\* there"
    assert echo("") == ""
    assert len(echo("*" * 6_000, MESSAGE_CONTENT)) <= MESSAGE_CONTENT
