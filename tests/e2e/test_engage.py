"""The conversation around the daily post, end to end: a discussion thread on each post, an
opt-in role mentioned (and only it) with its **Notify me** toggle, and `mode: whosaid` (a
daily "who said it?" round, exactly once per date through restarts). The real bot, the fake
Discord (which validates threads, member role changes and mentions), a real SQLite file and
the virtual clock.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.i18n import t
from bot.store import DigestMode, ThreadProblem
from tests.e2e.conftest import Summit, VirtualClock, bot_posts, service
from tests.e2e.test_digest import (
    await_catch_up,
    daily,
    fire,
    next_due_after,
    set_digest,
    start_again,
    summit,
)
from tests.fakediscord.engage import CREATE_PUBLIC_THREADS, MEMBER_ROLE
from tests.fakediscord.permissions import (
    DEFAULT_BOT,
    DEFAULT_EVERYONE,
    MANAGE_ROLES,
    MENTION_EVERYONE,
)

__all__ = ["summit"]  # the fixture, shared with test_digest

MESSAGES = "/channels/{channel_id}/messages"
NOTIFY_REASON = "Notify me button on the daily quote (the member's own choice)"


async def grant(summit: Summit, permissions: int) -> None:
    summit.fake.set_bot_permissions(summit.guild, DEFAULT_BOT | permissions)
    await summit.fake.settle()


async def post_today(summit: Summit, clock: VirtualClock) -> Any:
    clock.now = next_due_after(clock.now)
    await fire(summit)
    (message,) = bot_posts(summit.fake, daily(summit))
    return message


def components_of(message: Any) -> list[dict[str, Any]]:
    return [c for row in message.components for c in row["components"]]


def notify_id(message: Any) -> str:
    (custom_id,) = [
        c["custom_id"]
        for row in message.components
        for c in row["components"]
        if c.get("custom_id", "").startswith("digest-notify:")
    ]
    return str(custom_id)


# --- threads -----------------------------------------------------------------------------


async def test_thread_on_opens_one_thread_on_the_post_named_from_date_and_speaker(
    summit: Summit, clock: VirtualClock
) -> None:
    await grant(summit, CREATE_PUBLIC_THREADS)
    done = await set_digest(summit, language="en", thread=True)
    assert t("engage.on", "en") in done.content
    message = await post_today(summit, clock)
    thread = summit.fake.threads[message.id]
    assert thread.parent_id == daily(summit).id
    assert 1 <= len(thread.name) <= 100
    catalog = summit.bot.catalog
    quote_id = message.embeds[0]["footer"]["text"].rsplit(" ", 1)[-1]
    speaker = catalog.speakers[catalog.quotes[quote_id].speaker]
    (row,) = [r for r in await summit.bot.store.recent_posts(summit.guild.id) if r.message_id]
    day = row.local_date  # the guild's local date, which may differ from UTC's
    assert thread.name == f"{day.day} {day.strftime('%b')} {day.year} · {speaker.name.en}"
    assert summit.fake.thread_archive[message.id] == 1440  # archives after a day
    settings = await summit.bot.store.get_settings(summit.guild.id)
    assert settings is not None
    assert settings.thread_problem is None


async def test_thread_without_permission_still_posts_and_status_says_why(
    summit: Summit, clock: VirtualClock
) -> None:
    done = await set_digest(summit, language="en", thread=True)
    assert "Create Public Threads" in done.content, "set warns at once"
    message = await post_today(summit, clock)
    assert message.id not in summit.fake.threads
    settings = await summit.bot.store.get_settings(summit.guild.id)
    assert settings is not None
    assert settings.thread_problem is ThreadProblem.MISSING_PERMISSIONS
    status = await summit.slash("digest status", user=summit.admin)
    assert t("engage.thread_problems.missing_permissions", "en") in status.content
    assert not summit.fake.unhandled


# --- the opt-in role -----------------------------------------------------------------------


async def test_role_is_the_only_mention_and_notify_me_adds_then_removes_it(
    summit: Summit, clock: VirtualClock
) -> None:
    role = summit.fake.add_role(summit.guild, "daily-readers")
    await grant(summit, MANAGE_ROLES)
    done = await set_digest(summit, language="en", role=role)
    assert f"<@&{role.id}>" in done.content
    assert "isn't mentionable" not in done.content, "@everyone may Mention @everyone here"
    message = await post_today(summit, clock)
    (send,) = [r for r in summit.fake.requests if r.method == "POST" and r.template == MESSAGES]
    mentions = send.body["allowed_mentions"]
    assert [int(r) for r in mentions["roles"]] == [role.id]
    assert mentions.get("parse") in ([], None), "no everyone, no users, no other roles"
    assert "users" not in mentions
    assert message.content == f"<@&{role.id}>"
    assert message.pings.roles == (role.id,)
    assert not message.pings.everyone
    assert message.pings.users == ()

    # The daily post's own buttons (another quote, the speaker's profile, the source), then
    # Notify me; every custom_id unique.
    labels = [c.get("label") for c in components_of(message)]
    keys = ("another_quote", "speaker_profile", "source", "notify")
    assert labels == [t(f"buttons.{k}" if k != "notify" else "engage.notify", "en") for k in keys]
    ids = [c["custom_id"] for c in components_of(message) if "custom_id" in c]
    assert [i.split(":")[0:2] for i in ids[:2]] == [["sb", "qa"], ["sb", "sp"]]
    assert len(set(ids)) == len(ids) == 3
    profile = await summit.fake.click(message, ids[1], summit.member)
    assert profile.ephemeral
    assert profile.embeds[0]["title"]

    member = summit.guild.member(summit.member)
    first = await summit.fake.click(message, notify_id(message), summit.member)
    assert first.ephemeral
    assert role.id in member.roles
    assert t("engage.notify_added", "en", role=f"<@&{role.id}>") == first.content
    second = await summit.fake.click(message, notify_id(message), summit.member)
    assert second.ephemeral
    assert role.id not in member.roles
    assert t("engage.notify_removed", "en", role=f"<@&{role.id}>") == second.content
    changes = [r for r in summit.fake.requests if r.template == MEMBER_ROLE]
    assert [(r.method, r.status) for r in changes] == [("PUT", 204), ("DELETE", 204)]
    assert [e.reason for e in summit.fake.audit_log] == [NOTIFY_REASON, NOTIFY_REASON]


async def test_notify_me_without_manage_roles_explains_privately(
    summit: Summit, clock: VirtualClock
) -> None:
    role = summit.fake.add_role(summit.guild, "daily-readers")
    summit.fake.set_role_permissions(summit.guild.everyone, DEFAULT_EVERYONE & ~MENTION_EVERYONE)
    await summit.fake.settle()
    done = await set_digest(summit, language="en", role=role)
    why = t("engage.notify_why.manage_roles", "en")
    assert why in done.content, "set warns that the button can't work yet"
    assert "isn't mentionable" in done.content, "and that Discord would not ping the role"
    message = await post_today(summit, clock)
    click = await summit.fake.click(message, notify_id(message), summit.member)
    assert click.ephemeral
    assert why in click.content
    assert "admin" in click.content
    assert role.id not in summit.guild.member(summit.member).roles
    assert not [r for r in summit.fake.requests if r.template == MEMBER_ROLE]
    status = await summit.slash("digest status", user=summit.admin)
    assert why in status.content


async def test_a_role_above_the_bot_is_explained_too(summit: Summit, clock: VirtualClock) -> None:
    role = summit.fake.add_role(summit.guild, "mods", above_bot=True)
    await grant(summit, MANAGE_ROLES)
    await set_digest(summit, language="en", role=role)
    message = await post_today(summit, clock)
    click = await summit.fake.click(message, notify_id(message), summit.member)
    assert t("engage.notify_why.hierarchy", "en") in click.content
    assert role.id not in summit.guild.member(summit.member).roles


async def test_everyone_and_managed_roles_are_refused_and_nothing_is_saved(
    summit: Summit,
) -> None:
    everyone = await set_digest(summit, language="en", role=summit.guild.everyone)
    assert everyone.ephemeral
    assert everyone.content == t("engage.refuse_default_role", "en")
    bot_role = next(r for r in summit.guild.roles.values() if r.managed)
    managed = await set_digest(summit, language="en", role=bot_role)
    assert managed.content == t("engage.refuse_managed_role", "en", role=f"<@&{bot_role.id}>")
    assert await summit.bot.store.get_settings(summit.guild.id) is None


# --- mode: whosaid -----------------------------------------------------------------------


async def test_whosaid_mode_posts_one_round_a_day_through_restarts_and_reveals_it_next_day(
    summit: Summit, clock: VirtualClock
) -> None:
    await set_digest(summit, language="en", mode="whosaid")
    settings = await summit.bot.store.get_settings(summit.guild.id)
    assert settings is not None
    assert settings.mode is DigestMode.WHOSAID
    message = await post_today(summit, clock)
    (embed,) = message.embeds
    assert embed["title"] == t("whosaid.daily_title", "en")
    answers = [c["custom_id"] for row in message.components for c in row["components"]]
    assert len(answers) == 5
    # Only the answers: no quote's buttons (its profile button would name the speaker).
    assert all(a.startswith("ws:") for a in answers)
    # A restart the same day, and a duplicate fire of the day's job: still one round.
    clock.now += timedelta(hours=1)
    async with await start_again(summit) as bot:
        results = await await_catch_up(bot)
        assert [r.outcome.value for r in results] == ["nothing_due"]
        await fire(summit, bot)
        assert len(bot_posts(summit.fake, daily(summit))) == 1
        # The round answers after the restart, and the next day's post reveals it.
        round_id = int(answers[0].split(":")[1])
        round_ = await bot.store.get_round(round_id)
        assert round_ is not None
        assert round_.message_id == message.id
        clock.now = next_due_after(clock.now + timedelta(hours=1))
        await fire(summit, bot)
        posts = bot_posts(summit.fake, daily(summit))
        assert len(posts) == 2
        fields = {f["name"]: f["value"] for f in posts[1].embeds[0]["fields"]}
        speaker = bot.catalog.speakers[bot.catalog.quotes[round_.quote_id].speaker]
        assert speaker.name.en in fields[t("whosaid.reveal", "en")]


async def test_whosaid_mode_preview_is_the_round_without_its_speaker(
    summit: Summit, clock: VirtualClock
) -> None:
    await set_digest(summit, language="en", mode="whosaid")
    preview = await summit.slash("digest preview", user=summit.admin)
    (previewed,) = preview.embeds
    assert previewed["title"] == t("whosaid.daily_title", "en")
    message = await post_today(summit, clock)
    assert message.embeds == [previewed]


async def test_a_retried_whosaid_post_reuses_its_round(summit: Summit, clock: VirtualClock) -> None:
    await set_digest(summit, language="en", mode="whosaid")
    service(summit.bot).poster.retry_delays = (0.01, 0.01, 0.01)
    summit.fake.inject("POST", "/channels/{channel_id}/messages", 503, count=2)
    message = await post_today(summit, clock)
    round_ids = {int(c["custom_id"].split(":")[1]) for c in message.components[0]["components"]}
    (round_id,) = round_ids
    async with summit.bot.store.transaction(write=False) as conn:
        row = await conn._fetchone("SELECT count(*) FROM whosaid_rounds")
    assert row is not None
    assert row[0] == 1
    round_ = await summit.bot.store.get_round(round_id)
    assert round_ is not None
    assert round_.message_id == message.id


async def test_a_whosaid_round_with_a_role_carries_its_answers_and_notify_me_only(
    summit: Summit, clock: VirtualClock
) -> None:
    role = summit.fake.add_role(summit.guild, "daily-readers")
    await grant(summit, MANAGE_ROLES)
    await set_digest(summit, language="en", mode="whosaid", role=role)
    message = await post_today(summit, clock)
    ids = [c["custom_id"] for c in components_of(message)]
    assert [i for i in ids if not i.startswith("ws:")] == [f"digest-notify:{role.id}"]
    assert len(set(ids)) == len(ids) == 6
    assert not any("url" in c for c in components_of(message)), "no source link either"
