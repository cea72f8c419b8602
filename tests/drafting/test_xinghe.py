"""`content new` on the Xinghe fixture article, measured against its curated pack.

The article calls 周明远 "这位曾在多家互联网公司负责基础设施的工程师" before a quote: the 程 of
工程师 is a surname character, and 程师坦言 once made 程师 a speaker.
"""

from __future__ import annotations

import pytest

from bot.catalog import load_catalog
from bot.catalog.models import Pack
from bot.cli import main
from tests.drafting.measure import Figures, measure, pack_of
from tests.summits import XINGHE_ARTICLE, XINGHE_ID, two_summits

PACK_ID = "xinghe-draft"


@pytest.fixture(scope="module")
def curated(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    content = two_summits(tmp_path_factory.mktemp("summits") / "content")
    return pack_of(load_catalog(content), XINGHE_ID)


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    out = tmp_path_factory.mktemp("drafts")
    args = ["content", "new", str(XINGHE_ARTICLE), "--id", PACK_ID, "--out", str(out)]
    assert main([*args, "--url", "https://example.org/xinghe-2026"]) == 0
    return pack_of(load_catalog(out, drafts=True), PACK_ID)


def test_xinghe_draft_has_exactly_the_article_speakers(draft: Pack, curated: Pack) -> None:
    drafted = [speaker.name.zh for speaker in draft.speakers]
    assert drafted == [speaker.name.zh for speaker in curated.speakers]
    assert drafted == ["唐杰", "周明远", "陈思琪", "李海峰"]  # and no 程师 (of 工程师)
    roles = [speaker.role.zh for speaker in draft.speakers]
    assert roles == [speaker.role.zh for speaker in curated.speakers]  # 星河智能首席技术官 too


def test_xinghe_draft_measured_against_the_curated_pack(draft: Pack, curated: Pack) -> None:
    figures = measure(draft, curated, XINGHE_ARTICLE.read_text(encoding="utf-8"))
    print(f"\nXinghe draft vs curated: {figures}")
    assert figures == Figures(curated=8, found=8, extra=0, attributed=8, speakers=4, with_roles=4)


def test_xinghe_the_engineer_is_the_person_described(draft: Pack) -> None:
    """这位…的工程师坦言 is a reference, resolved to 周明远 named before it."""
    names = {speaker.id: speaker.name.zh for speaker in draft.speakers}
    said = {quote.text.zh: names[quote.speaker] for quote in draft.quotes}
    assert said[next(text for text in said if text.startswith("我们内部统计过"))] == "周明远"
