"""Component custom_ids: at most 100 characters and unique within a message, as Discord rules.

A message or interaction response breaking either rule gets Discord's 400 (code 50035,
"Invalid Form Body", the error under the offending ``custom_id``) and is recorded as a
violation; nothing is created.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from tests.fakediscord import FakeDiscord
from tests.fakediscord.limits import components_errors

from .conftest import Connected

JSON = dict[str, Any]


def _button(custom_id: str) -> JSON:
    return {"type": 2, "style": 1, "label": "b", "custom_id": custom_id}


def _row(*custom_ids: str) -> JSON:
    return {"type": 1, "components": [_button(c) for c in custom_ids]}


async def _request(fake: FakeDiscord, path: str, body: JSON, *, bot_auth: bool = True) -> Any:
    headers = {"Content-Type": "application/json"}
    if bot_auth:
        headers["Authorization"] = f"Bot {fake.token}"
    async with (
        aiohttp.ClientSession() as http,
        http.post(fake.api_base + path, data=json.dumps(body), headers=headers) as resp,
    ):
        return resp.status, None if resp.status == 204 else await resp.json()


def _errors_at(body: JSON, *path: str) -> list[str]:
    node = body["errors"]
    for part in path:
        node = node[part]
    return [e["code"] for e in node["_errors"]]


async def test_a_custom_id_over_100_characters_is_rejected(connected: Connected) -> None:
    fake = connected.fake
    channel = connected.guild.channel("general")
    path = f"/channels/{channel.id}/messages"
    status, body = await _request(fake, path, {"components": [_row("x" * 101)]})
    assert status == 400
    assert body["code"] == 50035
    assert body["message"] == "Invalid Form Body"
    codes = _errors_at(body, "components", "0", "components", "0", "custom_id")
    assert "BASE_TYPE_MAX_LENGTH" in codes
    [violation] = fake.take_violations()
    assert "custom_id" in violation.reason
    assert fake.channel_messages(channel) == []

    status, _ = await _request(fake, path, {"components": [_row("x" * 100)]})
    assert status == 200
    [message] = fake.channel_messages(channel)
    assert message.components[0]["components"][0]["custom_id"] == "x" * 100


async def test_a_custom_id_duplicated_in_one_message_is_rejected(connected: Connected) -> None:
    fake = connected.fake
    channel = connected.guild.channel("general")
    path = f"/channels/{channel.id}/messages"
    # In the same row, and in another row of the same message.
    for rows, where in (
        ([_row("quote:1", "quote:1")], ("components", "0", "components", "1", "custom_id")),
        ([_row("quote:1"), _row("quote:1")], ("components", "1", "components", "0", "custom_id")),
    ):
        status, body = await _request(fake, path, {"components": rows})
        assert status == 400
        assert body["code"] == 50035
        assert _errors_at(body, *where) == ["COMPONENT_CUSTOM_ID_DUPLICATED"]
        [violation] = fake.take_violations()
        assert "COMPONENT_CUSTOM_ID_DUPLICATED" in violation.reason
    assert fake.channel_messages(channel) == []

    # The same custom_id on two different messages is fine.
    for _ in range(2):
        status, _ = await _request(fake, path, {"components": [_row("quote:1", "quote:2")]})
        assert status == 200
    assert len(fake.channel_messages(channel)) == 2


async def test_interaction_responses_follow_the_same_rules(connected: Connected) -> None:
    fake, guild = connected.fake, connected.guild
    fake.overwrite_commands(
        guild.id,
        [c.payload for c in fake.commands[guild.id]]
        + [{"name": "manual", "description": "Answered by the test."}],
    )
    result = await fake.slash(guild, None, "alice", "manual", wait=False)
    callback = f"/interactions/{result.id}/{result.token}/callback"
    too_long = {"type": 4, "data": {"components": [_row("y" * 101)]}}
    status, body = await _request(fake, callback, too_long, bot_auth=False)
    assert status == 400
    assert "BASE_TYPE_MAX_LENGTH" in _errors_at(
        body, "data", "components", "0", "components", "0", "custom_id"
    )
    duplicated = {"type": 4, "data": {"components": [_row("a", "b"), _row("b")]}}
    status, body = await _request(fake, callback, duplicated, bot_auth=False)
    assert status == 400
    assert _errors_at(body, "data", "components", "1", "components", "0", "custom_id") == [
        "COMPONENT_CUSTOM_ID_DUPLICATED"
    ]
    assert len(fake.take_violations()) == 2
    assert not result.responded

    status, _ = await _request(fake, callback, {"type": 4, "data": {"components": [_row("a")]}})
    assert status == 204
    assert result.custom_ids() == ["a"]

    # A followup is a message too.
    followup = f"/webhooks/{fake.application_id}/{result.token}"
    status, body = await _request(fake, followup, {"components": [_row("c", "c")]}, bot_auth=False)
    assert status == 400
    assert fake.take_violations()


def test_nested_components_are_checked_at_every_depth() -> None:
    # Components v2: a container holding a section (with a button accessory) and a row.
    message = [
        {
            "type": 17,
            "components": [
                {
                    "type": 9,
                    "components": [{"type": 10, "content": "text"}],
                    "accessory": _button("dup"),
                },
                _row("dup", "z" * 101),
            ],
        }
    ]
    errors = {(".".join(map(str, e.path)), e.code) for e in components_errors((), message)}
    assert errors == {
        ("0.components.1.components.0.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED"),
        ("0.components.1.components.1.custom_id", "BASE_TYPE_MAX_LENGTH"),
    }
    # A select menu's custom_id counts as well; link buttons have none.
    select = {"type": 3, "custom_id": "dup", "options": []}
    link = {"type": 2, "style": 5, "url": "https://example.com", "label": "l"}
    rows = [{"type": 1, "components": [_button("dup"), link]}, {"type": 1, "components": [select]}]
    [error] = components_errors(("components",), rows)
    assert error.path == ("components", 1, "components", 0, "custom_id")
    assert error.code == "COMPONENT_CUSTOM_ID_DUPLICATED"
