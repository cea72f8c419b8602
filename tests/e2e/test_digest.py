"""`/digest` end to end: the real bot, the fake Discord, a real SQLite file, and a virtual clock.

Time is driven, never waited for: the digest's clock (``bot.digest.poster.wall_clock``) is a
:class:`VirtualClock` the test moves, and a due post is fired through the scheduler (its job
moved to "now" in APScheduler, or its job function called directly). Restarts stop the bot and
start a new one on the same database file. The fake validates every request body against
Discord's OpenAPI spec and fails the test on any violation.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import discord
import pytest
from discord import app_commands

from bot.app import SummitBot
from bot.digest.due import next_due, next_n_due
from bot.digest.scheduler import job_id
from bot.endpoints import apply_overrides
from bot.i18n import t
from bot.ops.health import digest_service
from bot.store import DisableReason, PostRecord, PostStatus, Store
from bot.ui.text import echo
from tests.e2e.conftest import (
    Summit,
    VirtualClock,
    bot_posts,
    build_bot,
    running_summit,
    service,
    write_settings,
)
from tests.fakediscord import Channel, FakeDiscord, Guild, run_client
from tests.fakediscord.permissions import (
    EMBED_LINKS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
)

EPHEMERAL = 64
CJK = re.compile(r"[\u4e00-\u9fff]")
MESSAGES = "/channels/{channel_id}/messages"
SHANGHAI = "Asia/Shanghai"


@pytest.fixture
async def summit(
    fake_discord: FakeDiscord, tmp_path: Path, clock: VirtualClock
) -> AsyncIterator[Summit]:
    """The e2e harness (after the clock is in place, so the bot's poster runs on it), once
    the bot is ready and its startup catch-up is done, so tests drive time from a quiet bot."""
    async with running_summit(fake_discord, tmp_path) as running:
        await await_catch_up(running.bot)
        yield running


def cog(bot: SummitBot) -> Any:
    """The loaded Digest cog (discord.py loads extensions as fresh module objects, so its
    class is not the one this file could import)."""
    found = bot.get_cog("Digest")
    assert found is not None
    assert type(found).__name__ == "Digest"
    return found


async def eventually(predicate: Callable[[], bool], what: str, limit: float = 5.0) -> None:
    """Wait until ``predicate()`` holds (bounded; the bound only stops a broken test)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def daily(summit: Summit) -> Channel:
    return summit.guild.channel("daily")


async def set_digest(
    summit: Summit,
    *,
    time_text: str = "9:00",
    zone: str = "shanghai",
    channel: Channel | None = None,
    locale: str = "en-US",
    **extra: object,
) -> Any:
    options: dict[str, object] = {
        "channel": channel or daily(summit),
        "time": time_text,
        "timezone": zone,
        **extra,
    }
    return await summit.slash("digest set", options, user=summit.admin, locale=locale)


def next_due_after(now: datetime, hhmm: time = time(9, 0), zone: str = SHANGHAI) -> datetime:
    return next_due(now, hhmm, zone).instant


async def fire(summit: Summit, bot: SummitBot | None = None) -> None:
    """Run the guild's scheduled job now, as the scheduler does when its time comes."""
    await service(bot or summit.bot).post_due(summit.guild.id)


async def start_again(summit: Summit) -> contextlib.AbstractAsyncContextManager[SummitBot]:
    """Stop the running bot; return a context that runs a new one on the same database."""
    await summit.bot.close()

    @contextlib.asynccontextmanager
    async def run() -> AsyncIterator[SummitBot]:
        bot = build_bot(summit.settings)
        # READY → on_ready waits guild_ready_timeout (2 s) for more guilds; two suffice here.
        bot._connection.guild_ready_timeout = 0.1
        async with run_client(bot, summit.fake):
            yield bot

    return run()


async def posted_row(bot: SummitBot, guild_id: int, day: date, limit: float = 5.0) -> PostRecord:
    """The post-log row once it is recorded posted (the send lands a moment before)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while True:
        row = await bot.store.post_for(guild_id, day)
        if row is not None and row.status is PostStatus.POSTED:
            return row
        if loop.time() > deadline:
            recent = await bot.store.recent_posts(guild_id)
            raise AssertionError(f"no posted row for {day}: {row}; recent: {recent}")
        await asyncio.sleep(0.02)


async def await_catch_up(bot: SummitBot) -> list[Any]:
    task = service(bot).startup
    assert task is not None
    return await asyncio.wait_for(task, 10)


async def wait_for_bot_cache(
    summit: Summit, channel: Channel, check: Callable[[Any], bool]
) -> None:
    """Wait until the bot's cache shows a change the fake dispatched (a gateway event)."""

    def seen() -> bool:
        cached = summit.bot.get_channel(channel.id)
        return cached is not None and check(cached)

    await eventually(seen, "the bot to see the channel change")


# --- registration ------------------------------------------------------------------------


async def test_digest_group_is_registered_admin_only_guild_only_and_localized(
    summit: Summit,
) -> None:
    commands = {c["name"]: c for c in summit.fake.registered_commands(summit.guild)}
    digest = commands["digest"]
    assert digest["default_member_permissions"] == str(1 << 5)
    assert digest["name_localizations"]["zh-CN"] == "每日语录"
    subs = {o["name"]: o for o in digest["options"]}
    assert set(subs) == {"set", "off", "status", "preview", "now"}
    assert all(o["name_localizations"]["zh-CN"] for o in subs.values())
    options = {o["name"]: o for o in subs["set"]["options"]}
    assert [o["name"] for o in subs["set"]["options"]] == [
        "channel",
        "time",
        "timezone",
        "language",
        "thread",
        "role",
        "mode",
        "event",
    ]
    assert [c["value"] for c in options["mode"]["choices"]] == ["quote", "whosaid"]
    assert options["timezone"]["autocomplete"]
    assert options["time"]["autocomplete"]
    assert options["event"]["autocomplete"]  # the summits, newest first
    assert options["event"]["name_localizations"]["zh-CN"] == "峰会"
    assert options["channel"]["channel_types"]
    languages = {c["value"]: c for c in options["language"]["choices"]}
    assert languages["zh"]["name_localizations"]["zh-CN"] == "中文"


# --- /digest set and the scheduled post -------------------------------------------------------


async def test_set_then_the_post_arrives_at_the_scheduled_minute(
    summit: Summit, clock: VirtualClock
) -> None:
    result = await set_digest(summit)
    assert result.ephemeral
    assert SHANGHAI in result.content
    assert "<t:" in result.content
    stored = await summit.bot.store.get_settings(summit.guild.id)
    assert stored is not None
    assert (stored.channel_id, stored.post_time, stored.timezone) == (
        daily(summit).id,
        time(9, 0),
        SHANGHAI,
    )
    assert stored.language == "zh", "the default language follows the zh-CN server"

    # The job is due at 09:00 Shanghai time, whatever the zone of the machine.
    due = next_due(datetime.now(UTC), time(9), SHANGHAI)
    job = service(summit.bot).scheduler._scheduler.get_job(job_id(summit.guild.id))
    assert job is not None
    scheduled = job.next_run_time
    assert scheduled == due.instant
    # Drive time to that minute and let APScheduler run the job for real.
    clock.now = scheduled
    job.modify(next_run_time=datetime.now(UTC))
    await eventually(lambda: len(bot_posts(summit.fake, daily(summit))) == 1, "the digest post")

    (message,) = bot_posts(summit.fake, daily(summit))
    (embed,) = message.embeds
    assert embed["title"] == t("digest.title", "zh")
    assert CJK.search(embed["description"])
    (send,) = [r for r in summit.fake.requests if r.method == "POST" and r.template == MESSAGES]
    assert send.status == 200
    assert send.body["allowed_mentions"] == {"parse": []}
    assert len(send.body["nonce"]) <= 25
    row = await posted_row(summit.bot, summit.guild.id, due.local_date)
    assert row.message_id == message.id
    assert service(summit.bot).scheduler.scheduled_guilds() == [summit.guild.id]


async def test_preview_is_exactly_the_next_post(summit: Summit, clock: VirtualClock) -> None:
    await set_digest(summit, language="en")
    preview = await summit.slash("digest preview", user=summit.admin)
    assert preview.ephemeral
    (previewed,) = preview.embeds
    clock.now = next_due_after(clock.now)
    await fire(summit)
    (message,) = bot_posts(summit.fake, daily(summit))
    assert message.embeds == [previewed]
    after = await summit.slash("digest preview", user=summit.admin)
    assert after.embeds != [previewed], "the preview moves on to the next quote"


async def test_now_posts_once_and_links_the_post(summit: Summit, clock: VirtualClock) -> None:
    await set_digest(summit)
    due = next_due(clock.now, time(9), SHANGHAI)
    clock.now = due.instant - timedelta(hours=1)  # 08:00 in Shanghai
    first = await summit.slash("digest now", user=summit.admin)
    await first.wait_followups(1)
    (message,) = bot_posts(summit.fake, daily(summit))
    link = f"https://discord.com/channels/{summit.guild.id}/{daily(summit).id}/{message.id}"
    assert first.ephemeral
    assert link in first.content
    second = await summit.slash("digest now", user=summit.admin)
    await second.wait_followups(1)
    assert link in second.content
    assert second.content.startswith("Today's quote was already posted")
    # The day's scheduled run then finds the date taken; status lists the next days only.
    clock.now = due.instant
    await fire(summit)
    assert len(bot_posts(summit.fake, daily(summit))) == 1
    status = await summit.slash("digest status", user=summit.admin)
    stamps = [int(s) for s in re.findall(r"<t:(\d+):F>", status.content)]
    assert int(due.instant.timestamp()) not in stamps
    assert len(stamps) == 3
    # Each attempt is counted in the Prometheus metrics by outcome.
    registry = summit.bot.metrics.registry
    counted = {
        (s.labels["outcome"], s.labels["reason"]): s.value
        for metric in registry.collect()
        if metric.name == "summitbot_digest_posts"
        for s in metric.samples
        if s.name.endswith("_total")
    }
    assert counted[("posted", "")] == 1
    assert counted[("already", "")] >= 2


async def test_status_shows_settings_next_three_times_and_last_post(
    summit: Summit, clock: VirtualClock
) -> None:
    await set_digest(summit, time_text="21:30", zone="new york")
    before = await summit.slash("digest status", user=summit.admin)
    assert before.ephemeral
    assert "America/New_York" in before.content
    assert "21:30" in before.content
    assert before.content.count("<t:") == 3
    assert t("digest.status.last_none", "en") in before.content
    clock.now = next_due_after(clock.now, time(21, 30), "America/New_York")
    await fire(summit)
    (message,) = bot_posts(summit.fake, daily(summit))
    after = await summit.slash("digest status", user=summit.admin)
    assert f"/{message.id}" in after.content
    ny = "America/New_York"
    expected = [
        int(d.instant.timestamp())
        for d in next_n_due(clock.now + timedelta(seconds=1), time(21, 30), ny, 3)
    ]
    stamps = [int(s) for s in re.findall(r"<t:(\d+):F>", after.content)]
    assert stamps == expected


# --- refusals: nothing saved ---------------------------------------------------------------


async def test_non_admin_is_refused(summit: Summit) -> None:
    for name, options in (
        ("digest set", {"channel": daily(summit), "time": "09:00", "timezone": SHANGHAI}),
        ("digest status", None),
        ("digest now", None),
        ("digest off", None),
        ("digest preview", None),
    ):
        result = await summit.slash(name, options, user=summit.member)
        assert result.ephemeral
        assert result.content == t("errors.missing_permissions", "en"), name
    assert await summit.bot.store.get_settings(summit.guild.id) is None
    assert bot_posts(summit.fake, daily(summit)) == []


@pytest.mark.parametrize(
    ("time_text", "zone", "key"),
    [
        ("25:00", SHANGHAI, "digest.errors.bad_time"),
        ("9am", SHANGHAI, "digest.errors.bad_time"),
        ("09:00", "Mars/Olympus_Mons", "digest.errors.unknown_zone"),
        ("09:00", "america", "digest.errors.unknown_zone"),
    ],
)
async def test_invalid_time_or_zone_is_refused(
    summit: Summit, time_text: str, zone: str, key: str
) -> None:
    result = await set_digest(summit, time_text=time_text, zone=zone)
    assert result.ephemeral
    head = t(key, "en", value="\0").split("\0")[1][:12]
    assert head in result.content
    assert await summit.bot.store.get_settings(summit.guild.id) is None
    assert service(summit.bot).scheduler.scheduled_guilds() == []


@pytest.mark.parametrize(
    ("option", "value", "key", "shown"),
    [
        ("time", "25:00", "digest.errors.bad_time", 20),
        ("timezone", "Mars/Olympus_Mons", "digest.errors.unknown_zone", 40),
    ],
)
@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
async def test_a_bad_option_is_answered_by_the_trees_error_handler(
    summit: Summit,
    monkeypatch: pytest.MonkeyPatch,
    option: str,
    value: str,
    key: str,
    shown: int,
    locale: str,
) -> None:
    """The option's transformer refuses the value; the tree's one error handler sends the
    transformer's localized answer, word for word what `/digest set` said before."""
    tree = summit.bot.tree
    handled: list[app_commands.AppCommandError] = []
    original = tree.on_error

    async def recording(interaction: Any, error: app_commands.AppCommandError, /) -> None:
        handled.append(error)
        await original(interaction, error)

    monkeypatch.setattr(tree, "on_error", recording)
    values = {"time_text": "09:00", "zone": SHANGHAI}
    values["time_text" if option == "time" else "zone"] = value
    result = await set_digest(summit, locale=locale, **values)  # type: ignore[arg-type]
    lang = "zh" if locale == "zh-CN" else "en"
    assert result.ephemeral
    assert result.content == t(key, lang, value=echo(value, shown))
    (error,) = handled
    assert isinstance(error, app_commands.TransformerError)
    assert type(error).__name__ == "DigestOptionError"
    assert error.answer == result.content  # type: ignore[attr-defined]
    assert await summit.bot.store.get_settings(summit.guild.id) is None


async def test_a_channel_the_bot_cannot_post_in_is_refused(summit: Summit) -> None:
    channel = daily(summit)
    summit.fake.set_channel_overwrite(channel, summit.fake.bot_user, deny=EMBED_LINKS)
    await wait_for_bot_cache(
        summit, channel, lambda c: not c.permissions_for(c.guild.me).embed_links
    )
    result = await set_digest(summit)
    assert result.ephemeral
    assert t("digest.permissions.embed_links", "en") in result.content
    assert "Nothing was saved" in result.content
    assert await summit.bot.store.get_settings(summit.guild.id) is None


async def test_a_channel_without_read_message_history_is_refused_with_why(
    summit: Summit,
) -> None:
    channel = daily(summit)
    summit.fake.set_channel_overwrite(channel, summit.fake.bot_user, deny=READ_MESSAGE_HISTORY)
    await wait_for_bot_cache(
        summit, channel, lambda c: not c.permissions_for(c.guild.me).read_message_history
    )
    for locale, lang in (("en-US", "en"), ("zh-CN", "zh")):
        result = await set_digest(summit, locale=locale)
        assert result.ephemeral
        assert t("digest.permissions.read_message_history", lang) in result.content
        assert t("digest.errors.history_why", lang) in result.content
    assert await summit.bot.store.get_settings(summit.guild.id) is None


async def test_timezone_autocomplete_finds_cities_in_english_and_chinese(summit: Summit) -> None:
    options = {"channel": daily(summit), "time": "09:00"}
    for typed, expected in (
        ("shanghai", SHANGHAI),
        ("new york", "America/New_York"),
        ("上海", SHANGHAI),
    ):
        choices = await summit.autocomplete(
            "digest set", {**options, "timezone": typed}, "timezone", user=summit.admin
        )
        assert 0 < len(choices) <= 25
        assert choices[0]["value"] == expected
        assert choices[0]["name"].startswith(expected)


async def test_configured_defaults_are_suggested_first(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    overrides = {"digest": {"default_time": "07:30", "default_timezone": "Europe/Berlin"}}
    async with running_summit(fake_discord, tmp_path, overrides=overrides) as summit:
        options = {"channel": daily(summit)}
        times = await summit.autocomplete(
            "digest set", {**options, "time": ""}, "time", user=summit.admin
        )
        assert [c["value"] for c in times[:2]] == ["07:30", "08:00"]
        typed = await summit.autocomplete(
            "digest set", {**options, "time": "21:3"}, "time", user=summit.admin
        )
        assert typed[0]["value"] == "21:30"
        zones = await summit.autocomplete(
            "digest set",
            {**options, "time": "07:30", "timezone": ""},
            "timezone",
            user=summit.admin,
        )
        assert zones[0]["value"] == "Europe/Berlin"
        assert len(zones) <= 25


async def test_chinese_ui_for_a_chinese_user(summit: Summit) -> None:
    result = await set_digest(summit, locale="zh-CN")
    assert CJK.search(result.content)
    assert result.content.startswith("已设置")
    status = await summit.slash("digest status", user=summit.admin, locale="zh-CN")
    assert t("digest.status.header_on", "zh") in status.content
    bad = await set_digest(summit, time_text="7 点", locale="zh-CN")
    assert "不是有效的时间" in bad.content


# --- failures: disabled with a reason, others unaffected ------------------------------------


async def configure_other_guild(summit: Summit) -> Channel:
    """The second guild's digest, saved and scheduled as `/digest set` does."""
    channel = summit.other_guild.text_channels[0]
    settings = await summit.bot.store.upsert_settings(
        summit.other_guild.id,
        channel_id=channel.id,
        post_time=time(9, 0),
        timezone=SHANGHAI,
        language="en",
    )
    service(summit.bot).schedule(settings)
    return channel


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("delete", DisableReason.CHANNEL_MISSING),
        ("no_send", DisableReason.MISSING_PERMISSIONS),
        ("no_view", DisableReason.MISSING_ACCESS),
    ],
)
async def test_lost_channel_disables_with_reason_and_another_guild_still_posts(
    summit: Summit, clock: VirtualClock, fault: str, reason: DisableReason
) -> None:
    await set_digest(summit)
    other_channel = await configure_other_guild(summit)
    channel = daily(summit)
    if fault == "delete":
        summit.fake.delete_channel(channel)
    elif fault == "no_send":
        summit.fake.set_channel_overwrite(channel, summit.fake.bot_user, deny=SEND_MESSAGES)
    else:
        summit.fake.set_channel_overwrite(channel, summit.fake.bot_user, deny=VIEW_CHANNEL)
    clock.now = next_due_after(clock.now)
    poster = service(summit.bot).post_due
    await asyncio.gather(poster(summit.guild.id), poster(summit.other_guild.id))

    assert bot_posts(summit.fake, other_channel), "the other guild still posts"
    settings = await summit.bot.store.get_settings(summit.guild.id)
    assert settings is not None
    assert not settings.enabled
    assert settings.disabled_reason is reason
    assert settings.channel_id == channel.id, "settings are kept"
    assert service(summit.bot).scheduler.scheduled_guilds() == [summit.other_guild.id]
    status = await summit.slash("digest status", user=summit.admin)
    words = t(f"digest.reasons.{reason.value}", "en")
    assert words in status.content
    assert t("digest.status.fix_hint", "en") in status.content
    status_zh = await summit.slash("digest status", user=summit.admin, locale="zh-CN")
    assert t(f"digest.reasons.{reason.value}", "zh") in status_zh.content


async def test_server_errors_then_success_make_one_post(
    summit: Summit, clock: VirtualClock
) -> None:
    await set_digest(summit)
    service(summit.bot).poster.retry_delays = (0.01, 0.01, 0.01)
    # 503 comes back to the poster at once; discord.py itself retries 500/502/504 (1 s sleep).
    summit.fake.inject("POST", MESSAGES, 503, count=2)
    clock.now = next_due_after(clock.now)
    await fire(summit)
    assert len(bot_posts(summit.fake, daily(summit))) == 1
    day = next_due(clock.now - timedelta(seconds=1), time(9), SHANGHAI).local_date
    row = await summit.bot.store.post_for(summit.guild.id, day)
    assert row is not None
    assert (row.status, row.attempts) == (PostStatus.POSTED, 3)


async def test_a_500_is_retried_by_discord_py_itself_not_twice(
    summit: Summit, clock: VirtualClock
) -> None:
    await set_digest(summit)
    injected = summit.fake.inject("POST", MESSAGES, 500, count=1)
    clock.now = next_due_after(clock.now)
    await fire(summit)
    assert injected.hits == 1
    assert len(bot_posts(summit.fake, daily(summit))) == 1
    day = next_due(clock.now - timedelta(seconds=1), time(9), SHANGHAI).local_date
    row = await summit.bot.store.post_for(summit.guild.id, day)
    assert row is not None
    assert row.attempts == 1


async def test_a_429_is_honoured_by_discord_py(summit: Summit, clock: VirtualClock) -> None:
    await set_digest(summit)
    summit.fake.inject("POST", MESSAGES, 429, count=1)
    clock.now = next_due_after(clock.now)
    await fire(summit)
    assert summit.fake.stats.rate_limited["injected"] == 1
    assert len(bot_posts(summit.fake, daily(summit))) == 1
    day = next_due(clock.now - timedelta(seconds=1), time(9), SHANGHAI).local_date
    row = await summit.bot.store.post_for(summit.guild.id, day)
    assert row is not None
    assert row.attempts == 1, "the poster never saw the 429"


async def test_off_keeps_settings_and_unschedules(summit: Summit, clock: VirtualClock) -> None:
    await set_digest(summit)
    assert service(summit.bot).scheduler.scheduled_guilds() == [summit.guild.id]
    result = await summit.slash("digest off", user=summit.admin)
    assert result.content == t("digest.off_done", "en")
    assert service(summit.bot).scheduler.scheduled_guilds() == []
    settings = await summit.bot.store.get_settings(summit.guild.id)
    assert settings is not None
    assert settings.disabled_reason is DisableReason.ADMIN
    clock.now = next_due_after(clock.now)
    await fire(summit)
    assert bot_posts(summit.fake, daily(summit)) == []
    status = await summit.slash("digest status", user=summit.admin)
    assert t("digest.reasons.admin", "en") in status.content
    now = await summit.slash("digest now", user=summit.admin)
    assert now.content.startswith(t("digest.status.header_off", "en", reason="\0").split("\0")[0])
    assert bot_posts(summit.fake, daily(summit)) == []
    await set_digest(summit)
    assert service(summit.bot).scheduler.scheduled_guilds() == [summit.guild.id]


async def test_leaving_a_guild_unschedules_it_and_keeps_settings(summit: Summit) -> None:
    await configure_other_guild(summit)
    assert service(summit.bot).scheduler.scheduled_guilds() == [summit.other_guild.id]
    summit.fake.remove_guild(summit.other_guild)
    await eventually(
        lambda: service(summit.bot).scheduler.scheduled_guilds() == [], "the unschedule"
    )
    settings = await summit.bot.store.get_settings(summit.other_guild.id)
    assert settings is not None
    assert settings.enabled
    # Rejoining (GUILD_CREATE for a guild with saved settings) schedules it again.
    await cog(summit.bot).on_guild_join(discord.Object(id=summit.other_guild.id))
    assert service(summit.bot).scheduler.scheduled_guilds() == [summit.other_guild.id]


# --- the extension owns the service ------------------------------------------------------


async def test_unloading_the_extension_stops_its_jobs_and_tasks_and_reloading_restarts_them(
    summit: Summit, clock: VirtualClock
) -> None:
    await set_digest(summit)
    bot = summit.bot
    first = service(bot)
    assert first.scheduler.running
    assert first.scheduler.scheduled_guilds() == [summit.guild.id]
    assert first.keeper is not None
    assert first.tasks() == [first.keeper], "the catch-up is done; the keeper runs"

    await bot.unload_extension("bot.exts.digest")
    assert digest_service(bot) is None
    assert bot.tree.get_command("digest") is None
    assert not first.scheduler.running, "no job fires into nothing"
    assert first.tasks() == []
    assert first.keeper.done()

    await bot.load_extension("bot.exts.digest")
    second = service(bot)
    assert second is not first
    assert second.scheduler.running
    assert second.scheduler.scheduled_guilds() == [summit.guild.id], "rebuilt from the database"
    await await_catch_up(bot)
    assert second.tasks() == [second.keeper]
    status = await summit.slash("digest status", user=summit.admin)
    assert t("digest.status.header_on", "en") in status.content

    # A reload stops the old service before the new one starts; the new one posts on time.
    await bot.reload_extension("bot.exts.digest")
    third = service(bot)
    assert not second.scheduler.running
    assert second.tasks() == []
    await await_catch_up(bot)
    job = third.scheduler._scheduler.get_job(job_id(summit.guild.id))
    assert job is not None
    clock.now = job.next_run_time
    job.modify(next_run_time=datetime.now(UTC))
    await eventually(lambda: len(bot_posts(summit.fake, daily(summit))) == 1, "the digest post")
    row = await posted_row(bot, summit.guild.id, clock.now.astimezone(ZoneInfo(SHANGHAI)).date())
    assert row.message_id == bot_posts(summit.fake, daily(summit))[0].id


# --- restarts ----------------------------------------------------------------------------


async def test_restart_the_same_day_does_not_post_again(
    summit: Summit, clock: VirtualClock
) -> None:
    await set_digest(summit)
    clock.now = next_due_after(clock.now)
    await fire(summit)
    assert len(bot_posts(summit.fake, daily(summit))) == 1
    clock.now += timedelta(hours=1)
    async with await start_again(summit) as bot:
        results = await await_catch_up(bot)
        assert [r.outcome.value for r in results] == ["nothing_due"]
        await fire(summit, bot)  # and a duplicate fire of the day's job
    assert len(bot_posts(summit.fake, daily(summit))) == 1


async def test_restart_after_a_missed_time_within_grace_posts_exactly_once(
    summit: Summit, clock: VirtualClock
) -> None:
    await set_digest(summit)
    due = next_due_after(clock.now)
    clock.now = due + timedelta(hours=2)  # the bot was down at the post time
    async with await start_again(summit) as bot:
        (result,) = await await_catch_up(bot)
        assert result.outcome.value == "posted"
        assert len(bot_posts(summit.fake, daily(summit))) == 1
        await bot.close()
    async with await start_again(summit) as bot:  # and once more
        (result,) = await await_catch_up(bot)
        assert result.outcome.value == "nothing_due"
    assert len(bot_posts(summit.fake, daily(summit))) == 1


async def test_restart_after_the_grace_period_records_skipped(
    summit: Summit, clock: VirtualClock
) -> None:
    await set_digest(summit)
    due = next_due_after(clock.now)
    clock.now = due + timedelta(hours=7)  # grace is 6 h by default
    async with await start_again(summit) as bot:
        (result,) = await await_catch_up(bot)
        assert result.outcome.value == "skipped"
        row = await bot.store.post_for(summit.guild.id, result.local_date)
        assert row is not None
        assert row.status is PostStatus.SKIPPED
        status = await summit.slash("digest status", user=summit.admin)
        assert t("digest.reasons.missed", "en") in status.content
    assert bot_posts(summit.fake, daily(summit)) == []


async def claim_the_next_post(summit: Summit, due: Any) -> list[Any]:
    """Claim `due`'s post as a sending process does; return the embeds it would send."""
    preview = await summit.slash("digest preview", user=summit.admin)
    quote_id = preview.embeds[0]["footer"]["text"].rsplit(" ", 1)[-1]
    assert await summit.bot.store.claim_post(
        summit.guild.id, due.local_date, due.instant, quote_id, channel_id=daily(summit).id
    )
    return list(preview.embeds)


async def test_a_crash_after_sending_is_recorded_not_resent(
    summit: Summit, clock: VirtualClock
) -> None:
    """A claimed row whose message did go out (the process died before recording it)."""
    await set_digest(summit)
    due = next_due(clock.now, time(9), SHANGHAI)
    embeds = await claim_the_next_post(summit, due)
    sent = summit.fake.create_message(daily(summit), summit.fake.bot_user, {"embeds": embeds})
    clock.now = due.instant + timedelta(hours=1)
    async with await start_again(summit) as bot:
        (result,) = await await_catch_up(bot)
        assert result.outcome.value == "posted"
        assert result.message_id == sent.id
        row = await bot.store.post_for(summit.guild.id, due.local_date)
        assert row is not None
        assert (row.status, row.message_id) == (PostStatus.POSTED, sent.id)
    assert len(bot_posts(summit.fake, daily(summit))) == 1


async def test_a_crash_before_sending_posts_once_after_restart(
    summit: Summit, clock: VirtualClock
) -> None:
    await set_digest(summit)
    store = summit.bot.store
    due = next_due(clock.now, time(9), SHANGHAI)
    assert await store.claim_post(
        summit.guild.id, due.local_date, due.instant, "whatever", channel_id=daily(summit).id
    )
    clock.now = due.instant + timedelta(hours=1)
    async with await start_again(summit) as bot:
        (result,) = await await_catch_up(bot)
        assert result.outcome.value == "posted"
    assert len(bot_posts(summit.fake, daily(summit))) == 1


async def test_a_crash_between_send_and_record_without_read_message_history_never_posts_twice(
    summit: Summit, clock: VirtualClock
) -> None:
    """Issue 15, finding 1: the post went out, the process died before recording it, and the
    bot cannot read the channel's history, where Discord then answers with an empty list (not
    an error). A restart more than 15 minutes later must not take that as "not sent"."""
    await set_digest(summit)
    due = next_due(clock.now, time(9), SHANGHAI)
    embeds = await claim_the_next_post(summit, due)
    summit.fake.create_message(daily(summit), summit.fake.bot_user, {"embeds": embeds})
    summit.fake.set_channel_overwrite(
        daily(summit), summit.fake.bot_user, deny=READ_MESSAGE_HISTORY
    )
    clock.now = due.instant + timedelta(minutes=20)  # well within the 6 h grace
    async with await start_again(summit) as bot:
        (result,) = await await_catch_up(bot)
        assert result.outcome.value == "skipped"
        row = await bot.store.post_for(summit.guild.id, due.local_date)
        assert row is not None
        assert row.status is PostStatus.SKIPPED
        await fire(summit, bot)  # the day's job firing as well changes nothing
        for locale, lang in (("en-US", "en"), ("zh-CN", "zh")):
            status = await summit.slash("digest status", user=summit.admin, locale=locale)
            assert t("digest.reasons.no_history", lang) in status.content
    assert len(bot_posts(summit.fake, daily(summit))) == 1


async def test_a_dead_processes_claim_is_settled_while_the_bot_runs(
    fake_discord: FakeDiscord, tmp_path: Path, clock: VirtualClock
) -> None:
    """Issue 15, finding 11: a claim whose owner died (no live lease) is settled by the running
    bot's periodic sweep, without a restart: here the send never happened, so it is made."""
    overrides = {"digest": {"claim_lease_seconds": 3}}  # the sweep runs every second
    async with running_summit(fake_discord, tmp_path, overrides=overrides) as summit:
        await await_catch_up(summit.bot)
        await set_digest(summit)
        due = next_due(clock.now, time(9), SHANGHAI)
        clock.now = due.instant + timedelta(minutes=10)
        assert await summit.bot.store.claim_post(
            summit.guild.id,
            due.local_date,
            due.instant,
            "whatever",
            channel_id=daily(summit).id,
            owner="a-process-that-was-killed",
        )
        row = await posted_row(summit.bot, summit.guild.id, due.local_date)
        assert row.claimed_by == service(summit.bot).poster.instance_id
        assert len(bot_posts(summit.fake, daily(summit))) == 1
        status = await summit.slash("digest status", user=summit.admin)
        assert message_link_of(summit, row) in status.content


async def test_the_sweep_reads_settings_only_of_claimed_guilds(
    fake_discord: FakeDiscord, tmp_path: Path, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading every enabled digest each sweep stalled the loop 2.5 s every 20 s at 100,000
    guilds (docs/performance.md, capacity): with no claim to settle, a sweep reads none."""
    overrides = {"digest": {"claim_lease_seconds": 3}}  # the sweep runs every second
    async with running_summit(fake_discord, tmp_path, overrides=overrides) as summit:
        await await_catch_up(summit.bot)
        await set_digest(summit)
        store, poster = summit.bot.store, service(summit.bot).poster
        full_reads, sweeps = 0, 0
        list_enabled, abandoned = store.list_enabled_settings, poster.abandoned

        async def counting_list(*args: Any, **kwargs: Any) -> Any:
            nonlocal full_reads
            full_reads += 1
            return await list_enabled(*args, **kwargs)

        async def counting_abandoned() -> Any:
            nonlocal sweeps
            sweeps += 1
            return await abandoned()

        monkeypatch.setattr(store, "list_enabled_settings", counting_list)
        monkeypatch.setattr(poster, "abandoned", counting_abandoned)
        await eventually(lambda: sweeps >= 2, "two sweeps", limit=10.0)
        assert full_reads == 0


def message_link_of(summit: Summit, row: PostRecord) -> str:
    assert row.channel_id is not None
    assert row.message_id is not None
    return f"https://discord.com/channels/{summit.guild.id}/{row.channel_id}/{row.message_id}"


# --- fan-out -------------------------------------------------------------------------------


async def test_fan_out_keeps_under_the_global_rate_limit(
    fake_discord: FakeDiscord, tmp_path: Path, clock: VirtualClock
) -> None:
    fake_discord.set_global_rate(12)
    overrides = {"digest": {"global_rate_per_second": 10}}
    async with running_summit(fake_discord, tmp_path, overrides=overrides) as summit:
        guilds: list[Guild] = [
            fake_discord.add_guild(f"g{n}", channels=["daily"]) for n in range(20)
        ]
        await eventually(
            lambda: all(summit.bot.get_guild(g.id) is not None for g in guilds), "the joins"
        )
        for guild in guilds:
            settings = await summit.bot.store.upsert_settings(
                guild.id,
                channel_id=guild.text_channels[0].id,
                post_time=time(9, 0),
                timezone=SHANGHAI,
                language="en",
            )
            service(summit.bot).schedule(settings)
        clock.now = next_due_after(clock.now)
        poster = service(summit.bot).post_due
        await await_catch_up(summit.bot)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.gather(*(poster(g.id) for g in guilds))
        elapsed = loop.time() - started
        assert all(len(bot_posts(fake_discord, g.text_channels[0])) == 1 for g in guilds)
        # Unthrottled, 20 sends would hit the fake's 12/s global limit at once.
        assert fake_discord.stats.rate_limited["global"] == 0
        print(f"fan-out: 20 posts at 10/s in {elapsed:.2f} s")


# --- sharding ------------------------------------------------------------------------------


async def test_a_shard_process_schedules_and_catches_up_only_its_guilds(
    fake_discord: FakeDiscord, tmp_path: Path, clock: VirtualClock
) -> None:
    fake = fake_discord
    mine = fake.add_guild("shard zero", channels=["daily"], shard=(0, 2))
    theirs = fake.add_guild("shard one", channels=["daily"], shard=(1, 2))
    settings = write_settings(tmp_path, fake, {"discord": {"shard_count": 2, "shard_ids": [0]}})
    store = await Store.open(settings.database.path)
    await store.migrate()
    for guild in (mine, theirs):
        await store.upsert_settings(
            guild.id,
            channel_id=guild.text_channels[0].id,
            post_time=time(9, 0),
            timezone=SHANGHAI,
            language="en",
        )
    await store.close()
    clock.now = next_due_after(datetime.now(UTC)) + timedelta(hours=1)

    bot = build_bot(settings)
    bot._connection.guild_ready_timeout = 0.1
    apply_overrides(fake.api_base, fake.gateway_url)
    running = asyncio.create_task(bot.start(fake.token))
    try:
        await fake.wait_ready(shard_id=0)
        assert [i["shard"] for i in fake.gateway.identifies] == [[0, 2]]
        assert service(bot).scheduler.scheduled_guilds() == [mine.id]
        results = await await_catch_up(bot)
        assert [(r.guild_id, r.outcome.value) for r in results] == [(mine.id, "posted")]
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(running, 10)
        apply_overrides(None, None)
    assert len(bot_posts(fake, mine.text_channels[0])) == 1
    assert bot_posts(fake, theirs.text_channels[0]) == []
