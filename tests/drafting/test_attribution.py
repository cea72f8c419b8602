"""Attribution patterns, each on a short made-up article."""

from __future__ import annotations

import subprocess
import sys

from bot.drafting import make_draft
from bot.drafting._attribute import CONFIRM_BELOW

URL = "https://example.org/a"


def _who(article: str) -> list[tuple[str, str]]:
    draft = make_draft(article, "x", URL)
    names = {speaker.id: speaker.name for speaker in draft.speakers}
    return [(names[quote.speaker], quote.text) for quote in draft.quotes]


def test_a_descriptive_reference_resolves_to_the_person_it_describes() -> None:
    article = "阿里技术负责人林俊旸出席了会议。该负责人表示:“我们会继续坚持开源路线。”\n"
    assert _who(article) == [("林俊旸", "我们会继续坚持开源路线。")]


def test_a_pronoun_resolves_to_the_most_recent_named_person() -> None:
    article = (
        "清华大学教授唐杰认为算力仍是瓶颈。香港科技大学教授杨强则不同意。"
        "他进一步举例:“联邦学习可以让数据不出本地。”\n"
    )
    assert _who(article) == [("杨强", "联邦学习可以让数据不出本地。")]


def test_a_name_inside_the_quote_is_not_the_speaker() -> None:
    article = "“我和唐杰讨论过这个问题,结论是一致的。”王芳表示。\n"
    assert _who(article) == [("王芳", "我和唐杰讨论过这个问题,结论是一致的。")]


def test_a_quote_after_a_full_stop_continues_the_previous_speaker_unsure_when_alone() -> None:
    article = (
        "“第一句话已经说完了。”张伟表示。“第二句话也是他说的。”\n"
        "另一段没有名字。\n“这句话找不到明确的说话人。”\n"
    )
    draft = make_draft(article, "x", URL)
    confidences = [quote.confidence for quote in draft.quotes]
    assert [quote.speaker for quote in draft.quotes] == ["zhangwei"] * 3
    assert confidences[0] > confidences[1] >= CONFIRM_BELOW > confidences[2]


def test_drafting_never_imports_discord() -> None:
    code = "import sys, bot.drafting, bot.catalog.drafts; print('discord' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
