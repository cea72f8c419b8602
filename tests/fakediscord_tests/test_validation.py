"""Every request body is checked: Content-Type, the OpenAPI schema, Discord's limits."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import discord
import pytest

from tests.fakediscord import FakeDiscord
from tests.fakediscord.limits import (
    LOCALES,
    chat_input_name_errors,
    command_errors,
    command_list_errors,
    embeds_errors,
    message_errors,
)
from tests.fakediscord.spec import load_spec

from .conftest import Connected


def _auth(fake: FakeDiscord, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bot {fake.token}", **extra}


async def _post(
    fake: FakeDiscord, path: str, data: str | bytes, headers: dict[str, str], method: str = "POST"
) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, fake.api_base + path, data=data, headers=headers) as resp,
    ):
        return resp.status, None if resp.status == 204 else await resp.json()


async def test_wrong_content_type_is_rejected(connected: Connected) -> None:
    fake = connected.fake
    channel = connected.guild.channel("general")
    for ctype in ("text/plain", "application/json; charset=utf-8"):
        status, body = await _post(
            fake,
            f"/channels/{channel.id}/messages",
            json.dumps({"content": "hi"}),
            _auth(fake, **{"Content-Type": ctype}),
        )
        assert status == 400
        assert body["code"] == 50035
    violations = fake.take_violations()
    assert len(violations) == 2
    assert all("Content-Type" in v.reason for v in violations)
    assert fake.channel_messages(channel) == []


async def test_schema_invalid_body_is_rejected(connected: Connected) -> None:
    fake = connected.fake
    channel = connected.guild.channel("general")
    status, body = await _post(
        fake,
        f"/channels/{channel.id}/messages",
        json.dumps({"content": 5, "embeds": "nope"}),
        _auth(fake, **{"Content-Type": "application/json"}),
    )
    assert status == 400
    assert body["message"] == "Invalid Form Body"
    assert "content" in body["errors"]
    assert "embeds" in body["errors"]
    [violation] = fake.take_violations()
    assert violation.body == {"content": 5, "embeds": "nope"}


async def test_content_over_2000_through_discord_py(connected: Connected) -> None:
    fake, bot = connected.fake, connected.bot
    channel = bot.get_channel(connected.guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as info:
        await channel.send("x" * 2001)
    assert info.value.status == 400
    assert info.value.code == 50035
    [violation] = fake.take_violations()
    assert "2000" in violation.reason
    message = await channel.send("x" * 2000)
    assert fake.messages[message.id].content == "x" * 2000


async def test_multipart_payload_json_is_validated(connected: Connected) -> None:
    fake, bot = connected.fake, connected.bot
    channel = bot.get_channel(connected.guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    import io

    message = await channel.send("with a file", file=discord.File(io.BytesIO(b"abc"), "a.txt"))
    stored = fake.messages[message.id]
    assert stored.content == "with a file"
    assert fake.requests[-1].content_type is not None
    assert fake.requests[-1].content_type.startswith("multipart/form-data")
    with pytest.raises(discord.HTTPException):
        await channel.send(
            embed=discord.Embed(description="d" * 4097),
            file=discord.File(io.BytesIO(b"a"), "b.txt"),
        )
    [violation] = fake.take_violations()
    assert "description" in violation.reason


async def test_missing_authorization_is_401(connected: Connected) -> None:
    fake = connected.fake
    status, body = await _post(fake, "/users/@me", b"", {}, method="GET")
    assert status == 401
    assert body == {"message": "401: Unauthorized", "code": 0}
    assert [v.status for v in fake.take_violations()] == [401]


async def test_unserved_route_is_reported(connected: Connected) -> None:
    fake = connected.fake
    status, _ = await _post(fake, "/guilds/1/bans", b"", _auth(fake), method="GET")
    assert status == 404
    [record] = fake.unhandled
    assert record.template == "/guilds/{guild_id}/bans"
    with pytest.raises(AssertionError, match="unhandled"):
        fake.assert_clean()
    fake.unhandled.clear()


async def test_invalid_commands_are_rejected(connected: Connected) -> None:
    fake = connected.fake
    path = f"/applications/{fake.application_id}/guilds/{connected.guild.id}/commands"
    bad = [
        {"name": "Quote", "description": "Uppercase name.", "type": 1},
        {"name": "menu", "description": "Menus have no description.", "type": 3},
        {
            "name": "opts",
            "description": "Required after optional.",
            "options": [
                {"type": 3, "name": "a", "description": "optional"},
                {"type": 3, "name": "b", "description": "required", "required": True},
            ],
        },
        {"name": "loc", "description": "d", "name_localizations": {"zh": "引用"}},
    ]
    status, body = await _post(
        fake, path, json.dumps(bad), _auth(fake, **{"Content-Type": "application/json"}), "PUT"
    )
    assert status == 400
    assert set(body["errors"]) == {"0", "1", "2", "3"}
    [violation] = fake.take_violations()
    assert "APPLICATION_COMMAND_INVALID_NAME" in violation.reason
    assert [c["name"] for c in fake.registered_commands(connected.guild)] == ["ping"]


async def test_autocomplete_over_25_choices_is_rejected(connected: Connected) -> None:
    fake, guild = connected.fake, connected.guild
    fake.overwrite_commands(
        guild.id,
        [c.payload for c in fake.commands[guild.id]]
        + [
            {
                "name": "manual",
                "description": "Answered by the test.",
                "options": [{"type": 3, "name": "q", "description": "q", "autocomplete": True}],
            }
        ],
    )
    result = await fake.send_autocomplete(
        guild, None, "alice", "manual", {"q": "x"}, "q", wait=False
    )
    assert result.payload["data"]["options"] == [
        {"type": 3, "name": "q", "value": "x", "focused": True}
    ]
    choices = [{"name": f"c{i}", "value": f"v{i}"} for i in range(26)]
    status, _body = await _post(
        fake,
        f"/interactions/{result.id}/{result.token}/callback",
        json.dumps({"type": 8, "data": {"choices": choices}}),
        {"Content-Type": "application/json"},
    )
    assert status == 400
    assert fake.take_violations()
    ok = [{"name": "n" * 100, "value": "v" * 100}]
    status, _ = await _post(
        fake,
        f"/interactions/{result.id}/{result.token}/callback",
        json.dumps({"type": 8, "data": {"choices": ok}}),
        {"Content-Type": "application/json"},
    )
    assert status == 204
    assert result.choices == ok


# --- the checks themselves --------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["quote", "digest-set", "don't", "引用", "名言_2", "हिन्दी", "ภาษาไทย", "ä"]
)
def test_valid_chat_input_names(name: str) -> None:
    assert chat_input_name_errors(("name",), name) == []


@pytest.mark.parametrize(
    "name", ["", "Quote", "two words", "x" * 33, "emoji😀", "dot.name", "slash/name", "Ä"]
)
def test_invalid_chat_input_names(name: str) -> None:
    assert chat_input_name_errors(("name",), name)


def test_context_menu_names_may_have_spaces_and_capitals() -> None:
    assert command_errors((), {"name": "Explain terms", "type": 3}) == []
    assert command_errors((), {"name": "Explain terms", "type": 3, "description": "x"})


def test_command_limits() -> None:
    long_desc = {"name": "a", "description": "d" * 101}
    assert command_errors((), long_desc)
    too_many = {
        "name": "a",
        "description": "d",
        "options": [{"type": 3, "name": f"o{i}", "description": "d"} for i in range(26)],
    }
    assert command_errors((), too_many)
    dup = {
        "name": "a",
        "description": "d",
        "options": [{"type": 3, "name": "o", "description": "d"}] * 2,
    }
    assert command_errors((), dup)
    choices = {
        "name": "a",
        "description": "d",
        "options": [
            {
                "type": 3,
                "name": "o",
                "description": "d",
                "choices": [{"name": str(i), "value": str(i)} for i in range(26)],
            }
        ],
    }
    assert command_errors((), choices)
    assert command_list_errors([{"name": "a", "description": "d"}] * 2)
    localized = {
        "name": "quote",
        "description": "d",
        "name_localizations": {"zh-CN": "引用"},
        "description_localizations": {"zh-CN": "一句"},
    }
    assert command_errors((), localized) == []


def test_embed_limits() -> None:
    assert embeds_errors(("embeds",), [{"title": "t" * 256, "description": "d" * 4096}]) == []
    assert embeds_errors(("embeds",), [{"title": "t" * 257}])
    assert embeds_errors(("embeds",), [{"fields": [{"name": "n", "value": "v"}] * 26}])
    assert embeds_errors(("embeds",), [{"fields": [{"name": "n", "value": "v" * 1025}]}])
    assert embeds_errors(("embeds",), [{"footer": {"text": "f" * 2049}}])
    assert embeds_errors(("embeds",), [{"author": {"name": "a" * 257}}])
    assert embeds_errors(("embeds",), [{"title": "t"}] * 11)
    # 6,000 characters across all embeds of a message, each embed within its own limits.
    two = [{"description": "d" * 3000}, {"description": "d" * 3001}]
    [error] = embeds_errors(("embeds",), two)
    assert error.code == "MESSAGE_EMBEDS_TOO_LARGE"
    assert message_errors({"content": ""})[0].code == "EMPTY_MESSAGE"


def test_locales_match_the_spec() -> None:
    spec = load_spec()
    enum = spec.document["components"]["schemas"]["AvailableLocalesEnum"]["oneOf"]
    assert {item["const"] for item in enum} == LOCALES


def test_spec_paths_match_templates() -> None:
    spec = load_spec()
    original = spec.match("/webhooks/1/tok/messages/@original")
    assert original is not None
    assert original.template.endswith("/messages/@original")
    me = spec.match("/users/@me")
    assert me is not None
    assert me.template == "/users/@me"
    assert spec.match("/no/such/route") is None
