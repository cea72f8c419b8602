"""The `/admin reload` reply: counts on success, the first problems within Discord's limit."""

from __future__ import annotations

from pathlib import Path

from bot.exts.admin import MAX_LISTED, reload_reply
from bot.ops.reload import ReloadResult
from bot.ui.limits import MESSAGE_CONTENT


def test_success_reports_the_new_counts() -> None:
    result = ReloadResult(
        ok=True, seconds=0.1234, packs=1, speakers=5, quotes=45, terms=90, topics=17
    )
    assert reload_reply(result, "en") == (
        "Content reloaded in 0.12 s. Packs: 1 · speakers: 5 · quotes: 45 · terms: 90 · topics: 17"
    )
    assert reload_reply(result, "zh").startswith("内容已重新加载，用时 0.12 秒")


def test_many_long_problems_are_trimmed_to_the_message_limit() -> None:
    root = Path("/srv/summitbot/content")
    problems = tuple(
        f"{root}/pack/quotes.yaml:{line}: quote 'q{line}': " + "x" * 400 for line in range(60)
    )
    reply = reload_reply(ReloadResult(ok=False, seconds=0.5, problems=problems), "en", root)
    assert len(reply) <= MESSAGE_CONTENT
    assert reply.startswith("The reload failed and the running content is unchanged.")
    assert "Problems found: 60" in reply
    assert "/srv/summitbot" not in reply
    listed = [line for line in reply.splitlines() if line.startswith("pack/quotes.yaml:")]
    assert 0 < len(listed) <= MAX_LISTED
    assert reply.endswith(f"…and {60 - len(listed)} more (all of them are in the log).")


def test_code_fences_in_a_problem_cannot_break_the_block() -> None:
    result = ReloadResult(ok=False, seconds=0.0, problems=("a.yaml:1: text ``` here",))
    reply = reload_reply(result, "en")
    assert reply.count("```") == 2
    assert not reply.endswith("(all of them are in the log).")
