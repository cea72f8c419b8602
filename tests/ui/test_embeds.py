"""Renderer: every embed of the real pack in both languages, text fitting, and odd content."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable, Sequence
from pathlib import Path

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalog import Catalog, TermMatch, load_catalog
from bot.catalog.models import (
    Event,
    Lang,
    Pack,
    Quote,
    Section,
    Source,
    Speaker,
    Term,
    Text,
    Topic,
)
from bot.i18n import t
from bot.ui.digest import digest_embed
from bot.ui.glossary import explain_embed, term_embed
from bot.ui.help import help_embed
from bot.ui.limits import (
    AUTHOR_NAME,
    DESCRIPTION,
    EMBED_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    FIELDS,
    FOOTER_TEXT,
    TITLE,
    embed_problems,
    embed_size,
    fit_embed,
    fit_embeds,
    measure,
    truncate,
)
from bot.ui.quotes import quote_embed, quotes_page_embed
from bot.ui.speakers import speaker_embed, speakers_embed
from bot.ui.summit import summit_embed
from bot.ui.text import escape_user_text, name_pair, not_found_text, source_credit, term_title

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "content"
MINI = ROOT / "tests" / "fixtures" / "packs" / "mini"
LANGS: tuple[Lang, ...] = ("en", "zh")


@pytest.fixture(scope="module")
def real() -> Catalog:
    return load_catalog(REAL)


@pytest.fixture(scope="module")
def mini() -> Catalog:
    return load_catalog(MINI)


# --- limit checks, independent of the code under test ------------------------------------


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def assert_fits(*embeds: discord.Embed) -> None:
    """Every documented limit, by code points and by UTF-16 units, on the sent JSON."""
    assert len(embeds) <= 10
    assert embed_problems(embeds) == []
    total = 0
    for embed in embeds:
        data = embed.to_dict()
        for size in (len, _utf16):
            assert size(data.get("title", "")) <= TITLE
            assert size(data.get("description", "")) <= DESCRIPTION
            assert size(data.get("footer", {}).get("text", "")) <= FOOTER_TEXT
            assert size(data.get("author", {}).get("name", "")) <= AUTHOR_NAME
        fields = data.get("fields", [])
        assert len(fields) <= FIELDS
        for field in fields:
            assert field["name"].strip(), "empty field name"
            assert field["value"].strip(), "empty field value"
            assert _utf16(field["name"]) <= FIELD_NAME
            assert _utf16(field["value"]) <= FIELD_VALUE
        assert len(embed) == sum(
            len(x)
            for x in (
                data.get("title", ""),
                data.get("description", ""),
                data.get("footer", {}).get("text", ""),
                data.get("author", {}).get("name", ""),
                *(f["name"] + f["value"] for f in fields),
            )
        )
        total += _utf16(
            data.get("title", "")
            + data.get("description", "")
            + data.get("footer", {}).get("text", "")
            + data.get("author", {}).get("name", "")
            + "".join(f["name"] + f["value"] for f in fields)
        )
    assert total <= EMBED_TOTAL
    assert sum(len(e) for e in embeds) <= EMBED_TOTAL


def assert_credit(embed: discord.Embed, events: Iterable[Event], lang: Lang) -> None:
    """The source credit is the last field: title, author, publisher and link."""
    field = embed.fields[-1]
    assert field.name == t("labels.source", lang)
    value = field.value or ""
    for event in events:
        assert f"({event.source.url})" in value
        assert event.source.author in value
        assert event.source.publisher in value
        assert event.source.title[:20] in value


def embed_text(embed: discord.Embed) -> str:
    data = embed.to_dict()
    parts = [
        data.get("title", ""),
        data.get("description", ""),
        data.get("author", {}).get("name", ""),
        data.get("footer", {}).get("text", ""),
    ]
    parts += [f["name"] + "\n" + f["value"] for f in data.get("fields", [])]
    return "\n".join(parts)


def unescaped(text: str) -> str:
    return text.replace("\\", "")


# --- the real pack, both languages --------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_quote_embed_fits_and_shows_both_languages(real: Catalog, lang: Lang) -> None:
    assert real.quotes
    for quote in real.quotes.values():
        embed = quote_embed(real, quote, lang)
        assert_fits(embed)
        assert_credit(embed, [real.event_for(quote)], lang)
        body = unescaped(embed.description or "")
        assert quote.text.zh in body
        assert quote.text.en in body
        speaker = real.speakers[quote.speaker]
        assert speaker.name.get(lang) in (embed.author.name or "")
        assert speaker.role.get(lang) in (embed.author.name or "")
        assert quote.id in (embed.footer.text or "")
        text = unescaped(embed_text(embed))
        assert real.section_of(quote).title.get(lang) in text
        assert quote.context.get(lang) in text


@pytest.mark.parametrize("lang", LANGS)
def test_every_digest_embed_fits(real: Catalog, lang: Lang) -> None:
    for quote in real.quotes.values():
        term = real.related_term(quote)
        embed = digest_embed(real, quote, lang, term)
        assert_fits(embed)
        assert embed.title == t("digest.title", lang)
        assert_credit(embed, [real.event_for(quote)], lang)
        body = unescaped(embed.description or "")
        assert quote.text.zh in body
        assert quote.text.en in body
        if term is not None:
            names = [f.name for f in embed.fields]
            assert t("digest.term", lang, term=term_title(term, lang)) in names
    quote = next(iter(real.quotes.values()))
    assert_fits(digest_embed(real, quote, lang, None))


@pytest.mark.parametrize("lang", LANGS)
def test_every_speaker_embed_fits(real: Catalog, lang: Lang) -> None:
    for speaker in real.speakers.values():
        embed = speaker_embed(real, speaker, lang)
        assert_fits(embed)
        assert_credit(embed, [real.event_for(speaker)], lang)
        text = unescaped(embed_text(embed))
        assert speaker.summary.get(lang) in text
        assert speaker.role.get(lang) in text
        names = [f["name"] for f in embed.to_dict().get("fields", [])]
        if speaker.attendance is None:
            assert t("labels.attendance", lang) not in names
        else:
            assert t(f"attendance.{speaker.attendance}", lang) in text
        for point in speaker.points:
            assert point.get(lang) in text
        count = len(real.quotes_by(speaker.id))
        if count:
            assert t("speaker.quote_count", lang, count=count) in text
    embed = speakers_embed(real, lang)
    assert_fits(embed)
    assert_credit(embed, [p.event for p in real.packs], lang)
    for speaker in real.speakers.values():
        assert speaker.name.get(lang) in unescaped(embed.description or "")


@pytest.mark.parametrize("lang", LANGS)
def test_every_term_embed_fits(real: Catalog, lang: Lang) -> None:
    for term in real.terms.values():
        embed = term_embed(real, term, lang)
        assert_fits(embed)
        assert_credit(embed, [real.event_for(term)], lang)
        assert term.definition.get(lang) in unescaped(embed.description or "")
        assert embed.title == term_title(term, lang)


def test_term_embed_content_rlvr(real: Catalog) -> None:
    term = real.find_term("RLVR")
    assert term is not None
    embed = term_embed(real, term, "en")
    fields = {f.name: f.value or "" for f in embed.fields}
    assert "Tang Jie" in fields[t("labels.mentioned_by", "en")]
    example = fields[t("labels.example_quote", "en")]
    assert "RLVR" in example
    assert any(unescaped(example).startswith("> " + q.text.zh[:10]) for q in real.quotes.values())
    assert t("labels.related", "en") in fields
    assert embed.title is not None
    assert embed.title.startswith("RLVR")
    assert term_embed(real, term, "zh").title == f"{term.term.zh} · RLVR"


@pytest.mark.parametrize("lang", LANGS)
def test_summit_embed(real: Catalog, lang: Lang) -> None:
    for pack in real.packs:
        embed = summit_embed(real, pack, lang)
        assert_fits(embed)
        assert_credit(embed, [pack.event], lang)
        assert embed.url == pack.event.source.url
        text = unescaped(embed_text(embed))
        for section in pack.event.sections:
            assert section.title.get(lang) in text
        for speaker in pack.speakers:
            assert speaker.name.get(lang) in text
        assert pack.event.host.get(lang) in text
    assert "10 January 2026" in embed_text(summit_embed(real, real.packs[0], "en"))
    assert "2026年1月10日" in embed_text(summit_embed(real, real.packs[0], "zh"))


def _long_mixed_message(catalog: Catalog) -> str:
    words = []
    for index, term in enumerate(catalog.terms.values()):
        words.append(term.term.en if index % 2 else term.term.zh)
        words.append("and then, 然后我们讨论了" if index % 3 else "; also")
    return " ".join(words)


@pytest.mark.parametrize("lang", LANGS)
def test_explain_long_mixed_message(real: Catalog, lang: Lang) -> None:
    matches = real.scan_terms(_long_mixed_message(real))
    assert len(matches) > 25
    embed = explain_embed(real, matches, lang)
    assert_fits(embed)
    assert_credit(
        embed, {real.event_for(m.term).id: real.event_for(m.term) for m in matches}.values(), lang
    )
    names = [f.name for f in embed.fields]
    assert names[0] == term_title(matches[0].term, lang)
    more = embed.fields[-2].value or ""
    assert str(len(matches) - 22) in more
    assert t("explain.footer", lang, count=len(matches)) == embed.footer.text


@pytest.mark.parametrize("lang", LANGS)
def test_explain_few_and_none(real: Catalog, lang: Lang) -> None:
    matches = real.scan_terms("今年是RLVR爆发年, and Muon helps token efficiency")
    assert matches
    embed = explain_embed(real, matches, lang)
    assert_fits(embed)
    assert [f.name for f in embed.fields[:-1]] == [term_title(m.term, lang) for m in matches]
    empty = explain_embed(real, [], lang)
    assert_fits(empty)
    assert empty.description == t("explain.none_found", lang)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("per_page", [1, 5, 10])
def test_quotes_pages(real: Catalog, lang: Lang, per_page: int) -> None:
    quotes = real.search_quotes()
    pages = -(-len(quotes) // per_page)
    seen: list[str] = []
    for page in range(pages):
        embed = quotes_page_embed(real, quotes, page, per_page, lang, "")
        assert_fits(embed)
        assert_credit(
            embed, {real.event_for(q).id: real.event_for(q) for q in quotes}.values(), lang
        )
        assert embed.footer.text == t(
            "quotes.footer", lang, page=page + 1, pages=pages, count=len(quotes)
        )
        for field in embed.fields[:-1]:
            seen.extend(q.id for q in quotes if f"`{q.id}`" in (field.value or ""))
    assert seen == [q.id for q in quotes]
    # Past the end clamps to the last page.
    last = quotes_page_embed(real, quotes, pages + 5, per_page, lang, "")
    assert last.footer.text == t("quotes.footer", lang, page=pages, pages=pages, count=len(quotes))


@pytest.mark.parametrize("lang", LANGS)
def test_quotes_page_empty_and_filters_escaped(real: Catalog, lang: Lang) -> None:
    embed = quotes_page_embed(real, [], 0, 5, lang, "“**@everyone**”")
    assert_fits(embed)
    description = embed.description or ""
    assert t("quotes.empty", lang) in description
    assert "@everyone" not in description
    assert "\\*\\*" in description
    assert_credit(embed, [p.event for p in real.packs], lang)


@pytest.mark.parametrize("lang", LANGS)
def test_help_embed(lang: Lang) -> None:
    embed = help_embed(lang)
    assert_fits(embed)
    assert "/quote" in (embed.fields[0].value or "")


def test_not_found_text(real: Catalog) -> None:
    suggestions = real.did_you_mean("term", "RLVF")
    assert suggestions
    text = not_found_text("term", "RLVF", suggestions, "en", markdown=False)
    assert text.startswith("No term matches 'RLVF'. Did you mean: ")
    assert suggestions[0].label in text
    zh = not_found_text("speaker", "唐", [], "zh")
    assert zh == t("errors.unknown_speaker", "zh", query="唐")
    text = not_found_text("term", "@everyone **x**", suggestions, "en")
    assert "@everyone" not in text
    assert "\\*\\*x\\*\\*" in text
    assert f"`{suggestions[0].label}`" in text.splitlines()[1]
    long = not_found_text("term", "x" * 500, [], "en")
    assert measure(long) < 150


def test_escape_user_text() -> None:
    assert escape_user_text("@everyone") == "@\u200beveryone"
    assert (
        escape_user_text("@here <@123456789012345678>") == "@\u200bhere <@\u200b123456789012345678>"
    )
    assert escape_user_text("**bold** _it_ `code` ||spoiler||") == (
        "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\|\\|spoiler\\|\\|"
    )
    assert escape_user_text("plain 中文") == "plain 中文"


def test_name_pair_and_source_credit(mini: Catalog) -> None:
    speaker = mini.find_speaker("tangjie")
    assert speaker is not None
    assert name_pair(speaker.name, "en") == f"{speaker.name.en} ({speaker.name.zh})"
    assert name_pair(speaker.name, "zh") == f"{speaker.name.zh}（{speaker.name.en}）"
    assert name_pair(Text(zh="AI", en="ai"), "en") == "ai"
    source = mini.packs[0].event.source
    credit = source_credit(source)
    assert credit == f"[{source.title}]({source.url}) · {source.author}"  # publisher == author
    other = source.model_copy(update={"publisher": "Other Press", "title": "A [b] c"})
    assert source_credit(other) == f"[A ［b］ c]({source.url}) · {source.author} · Other Press"


def test_source_credit_keeps_a_hostile_url_one_link(mini: Catalog) -> None:
    # The loader refuses this URL; the renderer must still not let it add a second link.
    hostile = (
        "https://www.tmtpost.com/7838344.html)[Verify your account](https://evil.example/login"
    )
    source = mini.packs[0].event.source.model_copy(update={"url": hostile})
    credit = source_credit(source)
    link = credit.split(" · ")[0]
    assert link == (
        f"[{source.title}](https://www.tmtpost.com/7838344.html%29%5BVerify%20your%20account"
        "%5D%28https://evil.example/login)"
    )
    assert credit.count("](") == 1
    assert credit.count(")") == 1
    odd = source.model_copy(update={"url": 'https://x.org/<a>\\`b`\u200b\n{c}|^"中'})
    assert (
        source_credit(odd)
        .split(" · ")[0]
        .endswith("(https://x.org/%3Ca%3E%5C%60b%60%E2%80%8B%0A%7Bc%7D%7C%5E%22中)")
    )


def test_related_term(mini: Catalog) -> None:
    quote = mini.find_quote("tangjie-rlvr-year")
    assert quote is not None
    term = mini.related_term(quote)
    assert term is not None
    assert term.id == "rlvr"


# --- truncation ---------------------------------------------------------------------------


def test_truncate_keeps_short_text() -> None:
    assert truncate("hello", 5) == "hello"
    assert truncate("", 0) == ""
    assert truncate("hello", 0) == ""
    assert truncate("hello", 1) == "…"


def test_truncate_prefers_sentence_then_word() -> None:
    text = "First sentence here. Second sentence is much longer than the rest of it"
    assert truncate(text, 27) == "First sentence here.…"
    assert truncate(text, 40) == "First sentence here. Second sentence is…"
    assert truncate("alpha beta gamma delta epsilon", 17) == "alpha beta gamma…"
    assert (
        truncate("我们相信今年是爆发年。因为很多能力提升了很多很多", 16)
        == "我们相信今年是爆发年。…"
    )
    # No sentence end nearby: a CJK character boundary is a word boundary.
    assert truncate("很多能力大大提升我们可以做更多事情", 8) == "很多能力大大提…"
    # Decimal points and abbreviations are not sentence ends.
    assert truncate("Version 3.5 is out now and more", 14) == "Version 3.5…"


def test_truncate_never_splits_graphemes() -> None:
    family = "👨\u200d👩\u200d👧\u200d👦"
    for limit in range(1, 40):
        cut = truncate("ab " + family * 5, limit)
        assert measure(cut) <= limit
        body = cut.removesuffix("…")
        assert body.count("\u200d") == 3 * body.count("👨")
        assert not body.endswith("\u200d")
    flags = "🇨🇳🇺🇸🇯🇵🇩🇪"
    for limit in range(1, 12):
        body = truncate(flags, limit).removesuffix("…")
        assert len(body) % 2 == 0
    accents = "e\u0301" * 20
    for limit in range(1, 20):
        body = truncate(accents, limit).removesuffix("…")
        assert not body or body.endswith("\u0301")
    skin = "👍🏽" * 10
    for limit in range(1, 20):
        body = truncate(skin, limit).removesuffix("…")
        assert len(body) % 2 == 0


def test_truncate_drops_dangling_escape_and_separator() -> None:
    assert truncate("abc, \\*\\*\\*\\*\\*\\*\\*\\*", 8) == "abc…"
    cut = truncate("word " + "\\*" * 20, 10)
    assert not cut.removesuffix("…").endswith("\\") or cut.removesuffix("…").endswith("\\\\")


@given(st.text(max_size=300), st.integers(min_value=0, max_value=320))
def test_truncate_always_within_limit(text: str, limit: int) -> None:
    cut = truncate(text, limit)
    assert measure(cut) <= max(limit, 0)
    if measure(text) <= limit:
        assert cut == text
    else:
        assert cut.endswith("…") or limit == 0


# --- fitting whole embeds -----------------------------------------------------------------


def test_fit_embed_oversized_everything() -> None:
    embed = discord.Embed(title="T" * 1000, description="word " * 2000)
    embed.set_author(name="A" * 500)
    embed.set_footer(text="F" * 5000)
    for index in range(30):
        embed.add_field(name=f"name {index} " * 40, value="value " * 400, inline=False)
    embed.add_field(name="", value="   ")
    fit_embed(embed, protected_fields={3})
    assert_fits(embed)
    assert len(embed.fields) == 25
    assert embed_size(embed) <= EMBED_TOTAL
    assert (embed.title or "").endswith("…")


def test_fit_embed_keeps_protected_field_and_short_parts() -> None:
    embed = discord.Embed(title="Short title", description="x " * 3000)
    embed.add_field(name="Small", value="small value")
    embed.add_field(name="Big", value="y " * 600)
    embed.add_field(name="Source", value="[Title](https://example.com/a) · Author")
    fit_embed(embed, protected_fields={2})
    assert_fits(embed)
    assert embed.title == "Short title"
    assert embed.fields[0].value == "small value"
    assert embed.fields[2].value == "[Title](https://example.com/a) · Author"


def test_fit_embed_replaces_blank_fields() -> None:
    embed = discord.Embed()
    embed.add_field(name=" ", value="")
    fit_embed(embed)
    assert embed.fields[0].name == "\u200b"
    assert embed.fields[0].value == "\u200b"


def test_fit_embeds_total_and_count() -> None:
    embeds = [discord.Embed(description="z" * 3000) for _ in range(12)]
    fitted = fit_embeds(embeds)
    assert len(fitted) == 10
    assert_fits(*fitted)
    small = [discord.Embed(description="tiny") for _ in range(3)]
    assert [e.description for e in fit_embeds(small)] == ["tiny"] * 3


def test_embed_problems_reports_each_limit() -> None:
    embed = discord.Embed(title="t" * 300, description="d" * 5000)
    embed.set_footer(text="f" * 3000)
    embed.set_author(name="a" * 300)
    for _ in range(26):
        embed.add_field(name="n" * 300, value="v" * 2000)
    problems = embed_problems([embed] * 11)
    text = "\n".join(problems)
    for what in ("11 embeds", "title", "description", "footer", "author", "field 0 name"):
        assert what in text
    assert "field 0 value" in text
    assert "26 fields" in text
    assert "total" in text
    emoji = discord.Embed(title="😀" * 200)  # 200 code points, 400 UTF-16 units
    assert embed_problems([emoji]) == ["embed 1: title 400 > 256"]


# --- odd content through the models ---------------------------------------------------------

ODD_PIECES = [
    "@everyone",
    "@here",
    "<@123456789012345678>",
    "<@&123456789012345678>",
    "**bold**",
    "__under__",
    "`code`",
    "```py\nx\n```",
    "> quoted",
    "# heading",
    "-# small",
    "[link](https://example.com/x_y)",
    "||spoiler||",
    "\\",
    "*",
    "\u200b",
    "\u200d",
    "\ufeff",
    "e\u0301\u0302\u0303",
    "👨\u200d👩\u200d👧\u200d👦",
    "🇨🇳🇺🇸",
    "👍🏽",
    "😀",
    "。",
    "，",
    ". ",
    "\n",
    "  ",
    "你好世界",
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o",
    "RLVR",
    "word ",
]

piece = st.one_of(st.sampled_from(ODD_PIECES), st.text(min_size=1, max_size=12))
odd = st.one_of(
    st.lists(piece, min_size=1, max_size=12).map("".join),
    st.tuples(st.sampled_from(ODD_PIECES), st.integers(1, 3000)).map(lambda p: p[0] * p[1]),
    st.tuples(piece, st.integers(1, 800)).map(lambda p: p[0] * p[1]),
).filter(lambda s: bool(s.strip()))
texts = st.builds(Text, zh=odd, en=odd)
slug_tail = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=6)


@st.composite
def odd_packs(draw: st.DrawFn) -> Pack:
    sections = tuple(
        Section(id=f"section-{i}", title=draw(texts), summary=draw(texts))
        for i in range(draw(st.integers(1, 4)))
    )
    source = Source(
        title=draw(odd),
        author=draw(odd),
        publisher=draw(odd),
        url=f"https://example.com/{draw(slug_tail)}",
        published=dt.date(2026, 1, 11),
    )
    event = Event(
        id="odd-pack",
        name=draw(texts),
        date=dt.date(2026, 1, 10),
        host=draw(texts),
        summary=draw(texts),
        source=source,
        sections=sections,
    )
    topics = tuple(Topic(id=f"topic-{i}", name=draw(texts)) for i in range(draw(st.integers(0, 3))))
    topic_ids = [topic.id for topic in topics]
    speakers = tuple(
        Speaker(
            id=f"speaker-{i}",
            name=draw(texts),
            aliases=tuple(draw(st.lists(odd, max_size=3))),
            role=draw(texts),
            attendance=draw(st.sampled_from(["in-person", "remote", None])),
            summary=draw(texts),
            points=tuple(draw(st.lists(texts, max_size=12))),
        )
        for i in range(draw(st.integers(1, 3)))
    )
    speaker_ids = [s.id for s in speakers]
    term_count = draw(st.integers(1, 26))
    terms = tuple(
        Term(
            id=f"term-{i}",
            term=Text(zh=f"术语{i}" + draw(odd)[:40], en=f"Term{i}" + draw(odd)[:40]),
            aliases=(),
            definition=draw(texts),
            mentioned_by=tuple(
                draw(st.lists(st.sampled_from(speaker_ids), max_size=2, unique=True))
            ),
            related=tuple(f"term-{j}" for j in range(min(term_count, 30)) if j != i)[:3],
            topics=tuple(draw(st.lists(st.sampled_from(topic_ids), max_size=2, unique=True)))
            if topic_ids
            else (),
        )
        for i in range(term_count)
    )
    quotes = tuple(
        Quote(
            id=f"quote-{i}",
            speaker=draw(st.sampled_from(speaker_ids)),
            section=draw(st.sampled_from([s.id for s in sections])),
            topics=tuple(draw(st.lists(st.sampled_from(topic_ids), max_size=3, unique=True)))
            if topic_ids
            else (),
            text=Text(zh=draw(odd) + f" 术语{i % term_count}", en=draw(odd)),
            context=draw(texts),
        )
        for i in range(draw(st.integers(1, 6)))
    )
    return Pack(
        id="odd-pack",
        event=event,
        speakers=speakers,
        quotes=quotes,
        terms=terms,
        topics=topics,
    )


def _render_everything(catalog: Catalog, query: str, lang: Lang) -> list[Sequence[discord.Embed]]:
    pack = catalog.packs[0]
    out: list[Sequence[discord.Embed]] = []
    for quote in pack.quotes:
        out.append([quote_embed(catalog, quote, lang)])
        out.append([digest_embed(catalog, quote, lang, catalog.related_term(quote))])
        out.append([digest_embed(catalog, quote, lang, pack.terms[-1])])
    for speaker in pack.speakers:
        out.append([speaker_embed(catalog, speaker, lang)])
    out.append([speakers_embed(catalog, lang)])
    for term in pack.terms:
        out.append([term_embed(catalog, term, lang)])
    message = " ".join(f"{term.term.zh} {query} {term.term.en}" for term in pack.terms)
    out.append([explain_embed(catalog, catalog.scan_terms(message), lang)])
    every = [TermMatch(term, 0, 1, query) for term in pack.terms]
    out.append([explain_embed(catalog, every, lang)])
    out.append([summit_embed(catalog, pack, lang)])
    quotes = list(pack.quotes)
    for page in range(len(quotes)):
        out.append([quotes_page_embed(catalog, quotes, page, 1, lang, query)])
    out.append([quotes_page_embed(catalog, quotes, 0, 10, lang, query)])
    out.append(fit_embeds([summit_embed(catalog, pack, lang) for _ in range(12)]))
    return out


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pack=odd_packs(), query=odd, lang=st.sampled_from(LANGS))
def test_odd_content_always_fits(pack: Pack, query: str, lang: Lang) -> None:
    catalog = Catalog([pack])
    for embeds in _render_everything(catalog, query, lang):
        assert_fits(*embeds)
        if len(embeds) == 1:
            # Alone in a message, the credit survives every squeeze with its link intact.
            assert f"]({pack.event.source.url})" in (embeds[0].fields[-1].value or "")
    text = not_found_text("quote", query, [], lang)
    assert "@everyone" not in text
    assert "@here" not in text
