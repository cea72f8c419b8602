"""Gateway: resume with replay, re-identify, RECONNECT, sharding, intents, raw protocol."""

from __future__ import annotations

import json
import zlib
from typing import Any

import aiohttp
import discord
import pytest

from tests.fakediscord import FakeDiscord, run_client, shard_for
from tests.fakediscord.barebot import BareBot, ShardedBareBot

from .conftest import Connected


async def test_drop_then_resume_and_interaction_still_works(connected: Connected) -> None:
    fake, guild, bot = connected.fake, connected.guild, connected.bot
    await fake.drop_connection(shard_id=0, resumable=True)
    # An event while the bot is away is kept and replayed on RESUME.
    added = fake.add_channel(guild, "while-away")
    assert await fake.wait_reconnected(0) == "resumed"
    assert len(fake.gateway.identifies) == 1
    result = await fake.slash(guild, None, "alice", "ping")
    assert result.responded
    cached = bot.get_guild(guild.id)
    assert cached is not None
    assert cached.get_channel(added.id) is not None


async def test_reconnect_opcode_resumes(connected: Connected) -> None:
    fake = connected.fake
    await fake.drop_connection(shard_id=0, via="reconnect")
    assert await fake.wait_reconnected(0) == "resumed"
    assert (await fake.slash(connected.guild, None, "bob", "ping")).responded


async def test_invalid_session_makes_the_client_identify_again(connected: Connected) -> None:
    fake = connected.fake
    old_session = fake.gateway.shards[0].session_id
    await fake.drop_connection(shard_id=0, resumable=False, via="invalid_session")
    assert await fake.wait_reconnected(0) == "identified"
    assert fake.gateway.shards[0].session_id != old_session
    assert len(fake.gateway.identifies) == 2
    assert (await fake.slash(connected.guild, None, "bob", "ping")).responded


async def test_unresumable_close_falls_back_to_identify(connected: Connected) -> None:
    fake = connected.fake
    await fake.drop_connection(shard_id=0, resumable=False, via="close")
    assert await fake.wait_reconnected(0) == "identified"
    assert (await fake.slash(connected.guild, None, "bob", "ping")).responded


async def test_two_shards_split_guilds(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    fake.recommended_shards = 2
    g0 = fake.add_guild("even", shard=(0, 2))
    g1 = fake.add_guild("odd", shard=(1, 2))
    assert shard_for(g0.id, 2) == 0
    assert shard_for(g1.id, 2) == 1
    bot = ShardedBareBot()
    async with run_client(bot, fake):
        assert sorted(i["shard"] for i in fake.gateway.identifies) == [[0, 2], [1, 2]]
        for shard_id, guild in ((0, g0), (1, g1)):
            ready = fake.gateway.shards[shard_id].buffer[0]
            assert ready["t"] == "READY"
            assert [g["id"] for g in ready["d"]["guilds"]] == [str(guild.id)]
            cached = bot.get_guild(guild.id)
            assert cached is not None
            assert cached.shard_id == shard_id
        assert bot.shard_count == 2
        for guild in (g0, g1):
            result = await fake.slash(guild, None, "alice", "ping")
            assert result.responded


async def test_privileged_intents_are_refused(fake_discord: FakeDiscord) -> None:
    fake_discord.add_guild("g")

    class Greedy(BareBot):
        def __init__(self) -> None:
            super().__init__()
            self._connection._intents = discord.Intents.all()

    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with run_client(Greedy(), fake_discord):
            pass


# --- the protocol, spoken by hand -------------------------------------------------------


class RawGateway:
    """A minimal client: zlib-stream transport, JSON payloads."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.inflate = zlib.decompressobj()

    async def recv(self) -> dict[str, Any]:
        msg = await self.ws.receive(timeout=5)
        assert msg.type is aiohttp.WSMsgType.BINARY, msg
        assert msg.data.endswith(b"\x00\x00\xff\xff")
        payload: dict[str, Any] = json.loads(self.inflate.decompress(msg.data))
        return payload

    async def send(self, payload: dict[str, Any]) -> None:
        await self.ws.send_str(json.dumps(payload))


def _gateway(fake: FakeDiscord) -> str:
    return f"{fake.gateway_url}?v=10&encoding=json&compress=zlib-stream"


async def test_raw_identify_heartbeat_resume_replay(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    guild = fake.add_guild("raw")
    identify = {"op": 2, "d": {"token": fake.token, "intents": 1, "properties": {}}}
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(_gateway(fake)) as ws:
            gw = RawGateway(ws)
            hello = await gw.recv()
            assert hello["op"] == 10
            assert hello["d"]["heartbeat_interval"] == fake.heartbeat_interval
            await gw.send({"op": 1, "d": None})
            assert (await gw.recv())["op"] == 11
            await gw.send(identify)
            ready = await gw.recv()
            assert ready["t"] == "READY"
            assert ready["s"] == 1
            assert ready["d"]["resume_gateway_url"] == fake.gateway_url
            session_id = ready["d"]["session_id"]
            created = await gw.recv()
            assert created["t"] == "GUILD_CREATE"
            assert created["s"] == 2
            assert created["d"]["id"] == str(guild.id)
            [member] = created["d"]["members"]  # no GUILD_MEMBERS intent: the bot only
            assert member["user"]["id"] == str(fake.bot_user.id)
        # Disconnected: this event waits for the resume.
        await fake.gateway.dispatch(0, "TEST_EVENT", {"n": 1})
        async with http.ws_connect(_gateway(fake)) as ws:
            gw = RawGateway(ws)
            await gw.recv()  # HELLO
            await gw.send({"op": 6, "d": {"token": fake.token, "session_id": session_id, "seq": 2}})
            replayed = await gw.recv()
            assert (replayed["t"], replayed["s"], replayed["d"]) == ("TEST_EVENT", 3, {"n": 1})
            resumed = await gw.recv()
            assert (resumed["t"], resumed["s"]) == ("RESUMED", 4)
        async with http.ws_connect(_gateway(fake)) as ws:
            gw = RawGateway(ws)
            await gw.recv()
            await gw.send({"op": 6, "d": {"token": fake.token, "session_id": "nope", "seq": 1}})
            invalid = await gw.recv()
            assert (invalid["op"], invalid["d"]) == (9, False)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"op": 2, "d": {"token": "wrong", "intents": 1, "properties": {}}}, 4004),
        ({"op": 2, "d": {"token": None, "properties": {}}}, 4004),
        ({"op": 3, "d": {}}, 4003),
        ({"op": 2, "d": {"intents": 1 << 30, "properties": {}}}, 4013),
        ({"op": 2, "d": {"intents": 1, "shard": [2, 2], "properties": {}}}, 4010),
    ],
)
async def test_raw_close_codes(
    fake_discord: FakeDiscord, payload: dict[str, Any], code: int
) -> None:
    fake = fake_discord
    if "token" not in payload["d"]:
        payload["d"]["token"] = fake.token
    async with aiohttp.ClientSession() as http, http.ws_connect(_gateway(fake)) as ws:
        gw = RawGateway(ws)
        await gw.recv()
        await gw.send(payload)
        msg = await ws.receive(timeout=5)
        assert msg.type is aiohttp.WSMsgType.CLOSE
        assert msg.data == code


async def test_uncompressed_text_frames(fake_discord: FakeDiscord) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{fake_discord.gateway_url}?v=10&encoding=json") as ws,
    ):
        msg = await ws.receive(timeout=5)
        assert msg.type is aiohttp.WSMsgType.TEXT
        assert json.loads(msg.data)["op"] == 10
