"""Buttons outlive the process: a click on a message an earlier bot process sent is answered.

Each test sends a message with buttons, stops the bot, starts a new bot process on the same
database and fake Discord, and clicks the old message's buttons (DESIGN.md §3, issue 10).
"""

from __future__ import annotations

from datetime import time, timedelta

from bot.digest.due import next_due
from bot.i18n import t
from tests.e2e.conftest import Summit, VirtualClock, bot_posts, restarted
from tests.e2e.test_commands import button_by_label as button
from tests.e2e.test_commands import buttons

EPHEMERAL = 64
UPDATE_MESSAGE = 7
CHANNEL_MESSAGE = 4


async def test_quote_buttons_answer_after_a_restart(summit: Summit) -> None:
    first = await summit.slash("quote", {"speaker": "yaoshunyu"}, locale="en-US")
    message = first.message
    assert [b.get("label") for b in buttons(message)] == ["Another", "Speaker profile", "Source"]
    async with restarted(summit):
        # The invoker's "another" changes their message in place, with the same filter.
        another = await summit.fake.click(message, button(message, "Another")["custom_id"], "x")
        assert another.ephemeral  # not the invoker: their own quote, privately
        assert "Yao Shunyu" in another.embeds[0]["author"]["name"]
        mine = await summit.fake.click(
            message, button(message, "Another")["custom_id"], summit.member
        )
        assert mine.response_type == UPDATE_MESSAGE
        assert "Yao Shunyu" in message.embeds[0]["author"]["name"]
        profile = await summit.fake.click(
            message, button(message, "Speaker profile")["custom_id"], summit.admin
        )
        assert profile.ephemeral
        assert "Yao Shunyu" in profile.embeds[0]["title"]
    assert summit.fake.violations == []


async def test_quotes_pager_turns_after_a_restart_for_its_owner_only(summit: Summit) -> None:
    result = await summit.slash("quotes", locale="en-US")
    assert result.ephemeral
    message = result.message
    async with restarted(summit):
        stranger = await summit.fake.click(
            message, button(message, "Next")["custom_id"], summit.admin
        )
        assert stranger.ephemeral
        assert stranger.content == t("errors.not_your_view", "en")
        assert "Page 1 of" in message.embeds[0]["footer"]["text"]
        turned = await summit.fake.click(
            message, button(message, "Next")["custom_id"], summit.member
        )
        assert turned.response_type == UPDATE_MESSAGE
        assert "Page 2 of" in message.embeds[0]["footer"]["text"]
        assert message.content in ("", None)
        back = await summit.fake.click(
            message, button(message, "Previous")["custom_id"], summit.member
        )
        assert back.response_type == UPDATE_MESSAGE
        assert "Page 1 of" in message.embeds[0]["footer"]["text"]


async def test_speaker_quotes_button_answers_after_a_restart(summit: Summit) -> None:
    profile = await summit.slash("speaker", {"name": "tangjie"}, locale="en-US")
    message = profile.message
    async with restarted(summit):
        opened = await summit.fake.click(
            message, button(message, "Quotes")["custom_id"], summit.admin
        )
        assert opened.ephemeral
        count = len(summit.bot.catalog.quotes_by("tangjie"))
        assert f"{count} quotes" in opened.embeds[0]["footer"]["text"]


async def test_daily_post_buttons_answer_privately_after_a_restart(
    summit: Summit, clock: VirtualClock
) -> None:
    daily = summit.guild.channel("daily")
    options = {"channel": daily, "time": "9:00", "timezone": "Asia/Shanghai"}
    configured = await summit.slash("digest set", options, user=summit.admin)
    assert configured.ephemeral
    clock.now = next_due(clock.now, time(9), "Asia/Shanghai").instant - timedelta(hours=1)
    now = await summit.slash("digest now", user=summit.admin)
    await now.wait_followups(1)
    (post,) = bot_posts(summit.fake, daily)
    # In the guild's language (zh-CN here); the answers follow whoever clicks.
    labels = [b.get("label") for b in buttons(post)]
    assert labels == [
        t(f"buttons.{key}", "zh") for key in ("another_quote", "speaker_profile", "source")
    ]
    assert "url" in buttons(post)[2]
    async with restarted(summit):
        another = await summit.fake.click(
            post, button(post, t("buttons.another_quote", "zh"))["custom_id"], summit.member
        )
        assert another.response_type == CHANNEL_MESSAGE
        assert another.ephemeral
        assert another.embeds[0]["footer"]["text"] != post.embeds[0]["footer"]["text"]
        profile = await summit.fake.click(
            post, button(post, t("buttons.speaker_profile", "zh"))["custom_id"], summit.member
        )
        assert profile.ephemeral
        assert profile.embeds[0]["title"]
    assert len(bot_posts(summit.fake, daily)) == 1  # the post itself never changes


async def test_a_malformed_or_pre_upgrade_custom_id_gets_a_clear_private_answer(
    summit: Summit,
) -> None:
    first = await summit.slash("quote", locale="en-US")
    message = first.message
    for custom_id in ("sb:qa:not-a-valid-id", "sb:zz:whatever", "0123456789abcdef" * 2):
        # As if the message carried it: what an edited, old or forged message would hold.
        buttons(message)[0]["custom_id"] = custom_id
        clicked = await summit.fake.click(message, custom_id, summit.member)
        assert clicked.ephemeral
        assert clicked.content == t("errors.button_stale", "en")
    assert summit.fake.violations == []


async def test_other_features_buttons_reach_their_own_items_not_the_catch_all(
    summit: Summit,
) -> None:
    """`Unanswerable` claims only `sb:` ids no other item takes and discord.py's old random
    ids: a round's answer, Notify me and a DM's Stop (registered by their own extensions, after
    it) are answered by their own items, and the profile button /whosaid answers carried before
    they used `SpeakerProfile` still opens the profile."""
    first = await summit.slash("quote", locale="en-US")
    message = first.message
    speaker = summit.bot.catalog.speakers["tangjie"]
    answers = {
        "ws:424242:tangjie": t("whosaid.unknown_round", "en"),
        "digest-notify:4242": t("engage.notify_stale", "en"),
        f"mydigest:stop:{summit.admin.id}": t("errors.not_your_view", "en"),
        f"mydigest:stop:{summit.member.id}": t("mydigest.not_configured", "en"),
    }
    for custom_id, expected in answers.items():
        buttons(message)[0]["custom_id"] = custom_id  # as if the message carried it
        clicked = await summit.fake.click(message, custom_id, summit.member)
        assert clicked.ephemeral
        assert clicked.content == expected, custom_id
    buttons(message)[0]["custom_id"] = "ws-profile:tangjie"
    profile = await summit.fake.click(message, "ws-profile:tangjie", summit.member)
    assert profile.ephemeral
    assert speaker.name.en in profile.embeds[0]["title"]
    assert summit.fake.violations == []
