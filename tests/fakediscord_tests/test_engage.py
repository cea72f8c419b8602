"""The fake's threads on messages, member role changes and mention checks (``engage.py``)."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import aiohttp

from tests.fakediscord import FakeDiscord
from tests.fakediscord.engage import CREATE_PUBLIC_THREADS, pings
from tests.fakediscord.permissions import DEFAULT_BOT, MANAGE_ROLES

from .conftest import Connected

JSON_HEADERS = {"Content-Type": "application/json"}


async def _call(
    fake: FakeDiscord, method: str, path: str, body: Any = None, **headers: str
) -> tuple[int, Any]:
    sent = {"Authorization": f"Bot {fake.token}", **headers}
    data = None
    if body is not None:
        data = json.dumps(body)
        sent.update(JSON_HEADERS)
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, fake.api_base + path, data=data, headers=sent) as resp,
    ):
        return resp.status, None if resp.status == 204 else await resp.json()


async def test_a_thread_on_a_message_needs_the_permission_and_is_made_once(
    connected: Connected,
) -> None:
    fake, guild = connected.fake, connected.guild
    channel = guild.channel("general")
    msg = fake.create_message(channel, fake.bot_user, {"content": "today"})
    path = f"/channels/{channel.id}/messages/{msg.id}/threads"
    body = {"name": "1 Jan 2026 · Tang Jie", "auto_archive_duration": 1440}
    status, answer = await _call(fake, "POST", path, body)
    assert (status, answer["code"]) == (403, 50013)
    fake.set_bot_permissions(guild, DEFAULT_BOT | CREATE_PUBLIC_THREADS)
    status, thread = await _call(fake, "POST", path, body)
    assert status == 201
    assert (thread["name"], thread["parent_id"]) == (body["name"], str(channel.id))
    assert thread["thread_metadata"]["auto_archive_duration"] == 1440
    status, answer = await _call(fake, "POST", path, body)
    assert (status, answer["code"]) == (400, 160004)
    assert not fake.take_violations()


async def test_thread_names_and_archive_durations_follow_the_spec(connected: Connected) -> None:
    fake, guild = connected.fake, connected.guild
    fake.set_bot_permissions(guild, DEFAULT_BOT | CREATE_PUBLIC_THREADS)
    channel = guild.channel("general")
    msg = fake.create_message(channel, fake.bot_user, {"content": "today"})
    path = f"/channels/{channel.id}/messages/{msg.id}/threads"
    for body in ({"name": "x" * 101}, {"name": ""}, {"name": "ok", "auto_archive_duration": 90}):
        status, _ = await _call(fake, "POST", path, body)
        assert status == 400
    assert len(fake.take_violations()) == 3
    assert msg.id not in fake.threads


async def test_member_roles_need_manage_roles_and_a_lower_role_and_record_the_reason(
    connected: Connected,
) -> None:
    fake, guild = connected.fake, connected.guild
    user = fake.add_user("reader")
    member = fake.add_member(guild, user)
    below = fake.add_role(guild, "readers")
    above = fake.add_role(guild, "mods", above_bot=True)
    path = f"/guilds/{guild.id}/members/{user.id}/roles/{below.id}"
    reason = urllib.parse.quote("Notify me (the member's own choice)", safe="/ ")
    status, answer = await _call(fake, "PUT", path, **{"X-Audit-Log-Reason": reason})
    assert (status, answer["code"]) == (403, 50013)
    fake.set_bot_permissions(guild, DEFAULT_BOT | MANAGE_ROLES)
    status, _ = await _call(fake, "PUT", path, **{"X-Audit-Log-Reason": reason})
    assert status == 204
    assert below.id in member.roles
    assert fake.audit_log[-1].reason == "Notify me (the member's own choice)"
    status, _ = await _call(fake, "DELETE", path)
    assert status == 204
    assert below.id not in member.roles
    for role in (above, guild.everyone):
        path = f"/guilds/{guild.id}/members/{user.id}/roles/{role.id}"
        status, answer = await _call(fake, "PUT", path)
        assert (status, answer["code"]) == (403, 50013)
    status, answer = await _call(fake, "PUT", f"/guilds/{guild.id}/members/{user.id}/roles/1")
    assert (status, answer["code"]) == (404, 10011)
    assert not fake.take_violations()


async def test_allowed_mentions_parse_and_lists_are_exclusive(connected: Connected) -> None:
    fake = connected.fake
    channel = connected.guild.channel("general")
    body = {"content": "<@&5>", "allowed_mentions": {"parse": ["roles"], "roles": ["5"]}}
    status, _ = await _call(fake, "POST", f"/channels/{channel.id}/messages", body)
    assert status == 400
    (violation,) = fake.take_violations()
    assert "mutually exclusive" in violation.reason


def test_pings_follow_allowed_mentions() -> None:
    content = "<@&5> <@&6> <@7> @everyone"
    assert pings({"content": content}).roles == (5, 6)
    only = pings({"content": content, "allowed_mentions": {"parse": [], "roles": ["5"]}})
    assert (only.roles, only.users, only.everyone) == ((5,), (), False)
    assert pings({"content": content, "allowed_mentions": {"parse": ["everyone"]}}).everyone
