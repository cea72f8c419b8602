"""The Discord-free pieces: quoted spans, statements, names and pinyin."""

from __future__ import annotations

from bot.drafting._people import english_name, find_names, roles, slug
from bot.drafting._text import is_statement, paragraphs, spans


def _spans(text: str) -> list[str]:
    (paragraph,) = paragraphs(text)
    return [span.text for span in spans(paragraph)]


def test_spans_in_every_quote_style_with_nesting_kept_inside() -> None:
    assert _spans("他说“第一句「引语」还在里面”，又说「第二句」。") == [
        "第一句「引语」还在里面",
        "第二句",
    ]
    assert _spans('She said "it works," and left.') == ["it works,"]


def test_statements_versus_scare_quotes_and_headings() -> None:
    (prose,) = paragraphs("“露脸”和“让AI做一件事情”以及“好,就这样”")
    assert [is_statement(span) for span in spans(prose)] == [False, True, True]
    (heading,) = paragraphs("01“大模型应对GDP产生5%-10%的影响”")
    assert heading.heading == "大模型应对GDP产生5%-10%的影响"
    assert not any(is_statement(span) for span in spans(heading))


def test_names_two_or_three_characters_from_their_context() -> None:
    texts = ["清华大学教授唐杰这样说道。唐杰表示同意,杨强将其分为四类,荣休教授杨强给出定义。"]
    assert find_names(texts) == ["唐杰", "杨强"]
    assert roles(texts, "杨强", ["唐杰", "杨强"]) == ["荣休教授"]


def test_roles_trim_what_precedes_the_apposition() -> None:
    texts = ["活动还邀请了Kimi创始人、CEO杨植麟,以及此前被腾讯高调官宣的CEO首席科学家姚顺雨。"]
    assert roles(texts, "杨植麟", ["杨植麟", "姚顺雨"]) == ["Kimi创始人", "CEO"]
    assert roles(texts, "姚顺雨", ["杨植麟", "姚顺雨"]) == ["CEO首席科学家"]


def test_pinyin_names_and_slugs() -> None:
    assert english_name("姚顺雨") == "Yao Shunyu"
    assert slug("姚顺雨") == "yaoshunyu"
    assert slug("Maria Lopez") == "maria-lopez"
