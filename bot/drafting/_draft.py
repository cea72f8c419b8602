"""From an article's text to a draft pack: quotes, speakers, sections, terms and the event."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.drafting import _english, _people, _terms
from bot.drafting._attribute import NAMED, Attribution, Attributor
from bot.drafting._text import Paragraph, Span, is_statement, latin_share, paragraphs, spans


class DraftError(Exception):
    """The article lacks something a pack needs that no option supplied (e.g. its link)."""


@dataclass(frozen=True)
class DraftSpeaker:
    id: str
    name: str  # as the article writes it
    proposed_name: str | None  # the other language's name, proposed (pinyin); None: unknown
    roles: tuple[str, ...]


@dataclass(frozen=True)
class DraftQuote:
    id: str
    speaker: str  # a DraftSpeaker id
    section: str
    text: str
    line: int  # in the article
    confidence: float
    how: str


@dataclass(frozen=True)
class DraftSection:
    id: str
    title: str | None


@dataclass(frozen=True)
class DraftEvent:
    name: str | None
    date: dt.date
    date_inferred: str | None  # why the date differs from the publication date
    host: str | None
    title: str | None
    author: str | None
    publisher: str
    url: str
    published: dt.date | None


@dataclass(frozen=True)
class Draft:
    pack_id: str
    english: bool  # the article is in English: originals are English, Chinese is to write
    event: DraftEvent
    sections: tuple[DraftSection, ...]
    speakers: tuple[DraftSpeaker, ...]
    quotes: tuple[DraftQuote, ...]
    terms: tuple[_terms.Candidate, ...]


UNKNOWN = "unknown"
MODERATORS = frozenset({"主持人", "主持", "记者", "问", "Q", "Moderator", "Host"})
_TURN = re.compile(
    r"^(?P<label>[A-Z]|[\u4e00-\u9fff]{2,3}|[A-Z][a-z]+(?: [A-Z][a-z]+){0,2})\s*[：:]\s*"
)
_GUEST = re.compile(
    r"^嘉宾\s*(?P<label>[A-Z])\s*[：:]\s*(?P<name>[\u4e00-\u9fff]{2,3})[，,](?P<role>.+)$"
)


def make_draft(article: str, pack_id: str, url: str | None = None) -> Draft:
    """The draft pack for `article`. Raises DraftError when no source link is known."""
    paras = paragraphs(article)
    english = latin_share(article) > 0.5
    texts = [paragraph.text for paragraph in paras]
    guests = _guests(paras)
    turns = _turns(paras, guests)
    turn_paragraphs = {span.paragraph.index for span, _ in turns}
    all_spans = [span for p in paras if p.index not in turn_paragraphs for span in spans(p)]
    statements = [span for span in all_spans if is_statement(span)]
    if english:
        names = _english.find_names(texts)
        surnames = _english.surnames(names)
    else:
        names = _people.find_names(texts)
        surnames = {}
    names += [name for name, _ in guests.values() if name not in names]
    names += [label for _, label in turns if label and label not in names]
    attributor = Attributor(paras, all_spans, names, surnames)
    attributions = dict(zip(statements, attributor.attribute(statements), strict=True))
    for span, label in turns:
        attributions[span] = Attribution(label, NAMED, "the transcript's turn")
    ordered = sorted(attributions, key=lambda span: (span.paragraph.index, span.start))
    speakers = _speakers(ordered, attributions, texts, names, guests, english)
    by_name = {speaker.name: speaker.id for speaker in speakers}
    sections = _sections(paras)
    quotes = _quotes(ordered, attributions, by_name, sections, paras)
    return Draft(
        pack_id=pack_id,
        english=english,
        event=_event(paras, article, url, english),
        sections=tuple(section for section, _ in sections),
        speakers=tuple(speakers),
        quotes=tuple(quotes),
        terms=tuple(_terms.candidates(texts, names, english)),
    )


def _guests(paras: list[Paragraph]) -> dict[str, tuple[str, str]]:
    """A transcript's guest introductions, by label.

    `嘉宾A：王小明，星河智能创始人` → {"A": ("王小明", "星河智能创始人")}.
    """
    found: dict[str, tuple[str, str]] = {}
    for paragraph in paras:
        match = _GUEST.match(paragraph.text)
        if match:
            found[match["label"]] = (match["name"], match["role"].strip("。. "))
    return found


def _turns(
    paras: list[Paragraph], guests: dict[str, tuple[str, str]]
) -> list[tuple[Span, str | None]]:
    """A transcript's turns (`A：…`, `李华：…`) as spans with the speaker they name."""
    candidates: list[tuple[Span, str]] = []
    for paragraph in paras:
        match = _TURN.match(paragraph.text)
        if match is None or _GUEST.match(paragraph.text) or not _speaker_label(match["label"]):
            continue
        candidates.append((Span(paragraph, match.end(), len(paragraph.text)), match["label"]))
    labels = {label for _, label in candidates}
    if len(candidates) < 3 or not labels & MODERATORS:
        return []  # not a transcript: a few "X：" lines are prose
    turns: list[tuple[Span, str | None]] = []
    for span, label in candidates:
        if label in MODERATORS or not is_statement(span):
            continue
        name = guests[label][0] if label in guests else label
        turns.append((span, None if len(name) == 1 else name))
    return turns


def _speaker_label(label: str) -> bool:
    """A turn's label: a letter, a moderator, or a person's name (not 编者按：, 链接：, Link:)."""
    if len(label) == 1 or label in MODERATORS:
        return True
    if label.isascii():
        return " " in label
    return label[0] in _people.SURNAMES


def _speakers(
    ordered: list[Span],
    attributions: dict[Span, Attribution],
    texts: list[str],
    names: list[str],
    guests: dict[str, tuple[str, str]],
    english: bool,
) -> list[DraftSpeaker]:
    speakers: list[DraftSpeaker] = []
    taken: set[str] = set()
    guest_roles = dict(guests.values())
    for span in ordered:
        name = attributions[span].speaker or UNKNOWN
        if any(speaker.name == name for speaker in speakers):
            continue
        if name == UNKNOWN:
            speakers.append(DraftSpeaker(UNKNOWN, UNKNOWN, None, ()))
            taken.add(UNKNOWN)
            continue
        if english:
            roles = _english.roles(texts, name)
            proposed = None
        else:
            roles = _people.roles(texts, name, names)
            proposed = _people.english_name(name)
        if name in guest_roles:
            roles = [guest_roles[name], *(role for role in roles if role != guest_roles[name])]
        speakers.append(
            DraftSpeaker(_unique(_people.slug(name), taken), name, proposed, tuple(roles))
        )
    return speakers


def _unique(candidate: str, taken: set[str]) -> str:
    result, number = candidate, 2
    while result in taken:
        result = f"{candidate}-{number}"
        number += 1
    taken.add(result)
    return result


def _sections(paras: list[Paragraph]) -> list[tuple[DraftSection, int]]:
    """Sections from numbered headings, each with the paragraph index where it starts."""
    headings = [p for p in paras if p.heading is not None]
    if not headings:
        return [(DraftSection("main", None), 0)]
    return [
        (DraftSection(f"section-{number}", p.heading), p.index)
        for number, p in enumerate(headings, start=1)
    ]


def _quotes(
    ordered: list[Span],
    attributions: dict[Span, Attribution],
    by_name: dict[str, str],
    sections: list[tuple[DraftSection, int]],
    paras: list[Paragraph],
) -> list[DraftQuote]:
    quotes: list[DraftQuote] = []
    counts: dict[str, int] = {}
    for span in ordered:
        attribution = attributions[span]
        speaker = by_name[attribution.speaker or UNKNOWN]
        counts[speaker] = counts.get(speaker, 0) + 1
        section = sections[0][0]
        for candidate, start in sections:
            if start <= span.paragraph.index:
                section = candidate
        quotes.append(
            DraftQuote(
                id=f"{speaker}-{counts[speaker]}",
                speaker=speaker,
                section=section.id,
                text=span.text.strip().rstrip(",，"),
                line=span.paragraph.line,
                confidence=attribution.confidence,
                how=attribution.how,
            )
        )
    return quotes


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ZH_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_EN_DATE = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)"
    r" (\d{1,2}), (\d{4})\b"
)
_MONTHS: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July")
_MONTHS += ("August", "September", "October", "November", "December")
_URL = re.compile(r"https?://[^\s|()<>\"'，。]+")
_SUMMIT_ZH = re.compile(
    r"(?:[A-Za-z0-9][A-Za-z0-9\-]*)?[\u4e00-\u9fff]{0,8}?(?:峰会|大会|论坛|研讨会)"
)
# What precedes a summit's name in a sentence (在昨日举行的AGI-Next前沿峰会上).
_SUMMIT_PREFIX = re.compile(r"^.*(?:的|在|了|于)")
_SUMMIT_EN = re.compile(r"\b(?:the )?((?:[A-Z][\w-]*\s){1,5}(?:Summit|Conference|Forum))\b")
_HOST_ZH = re.compile(r"由([^，,。由]{2,30}?)(?:发起|主办|举办|承办)")
_HOST_EN = re.compile(
    r"\b(?:hosted|organi[sz]ed|convened) by (?:the )?"
    r"([A-Z][\w-]*(?:\s+(?:(?:for|of|and|on|the)\s+)?[A-Z][\w-]*)*)"
)


def _event(paras: list[Paragraph], article: str, url: str | None, english: bool) -> DraftEvent:
    link = url or _labelled(paras, ("链接", "Link", "URL", "Source"), _URL) or _first(_URL, article)
    if link is None:
        raise DraftError("no link to the article found in it; pass --url")
    published = _published(paras, article)
    date, inferred = published, None
    if published is not None and re.search(r"昨日|昨天|\byesterday\b", article):
        date, inferred = published - dt.timedelta(days=1), "the day before publication (yesterday)"
    if date is None:
        date, inferred = dt.date(1970, 1, 1), "no date found in the article"
    host_pattern = _HOST_EN if english else _HOST_ZH
    host = host_pattern.search(article)
    summit = (_SUMMIT_EN if english else _SUMMIT_ZH).search(article)
    name = None
    if summit is not None:
        name = summit.group(1) if english else _SUMMIT_PREFIX.sub("", summit.group(0))
        name = name.strip() or None
    return DraftEvent(
        name=name,
        date=date,
        date_inferred=inferred,
        host=host.group(1).strip() if host else None,
        title=_title(paras),
        author=_author(paras),
        publisher=_publisher(link),
        url=link,
        published=published,
    )


def _labelled(
    paras: list[Paragraph], labels: tuple[str, ...], pattern: re.Pattern[str]
) -> str | None:
    for paragraph in paras:
        for label in labels:
            if paragraph.text.startswith(label) or f" {label}:" in paragraph.text:
                found = pattern.search(paragraph.text)
                if found:
                    return found.group(0)
    return None


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    found = pattern.search(text)
    return found.group(0) if found else None


def _published(paras: list[Paragraph], article: str) -> dt.date | None:
    for paragraph in paras:
        if paragraph.text.startswith(("原文", "发布", "Published", "Date")):
            found = _ISO_DATE.search(paragraph.text)
            if found:
                return _date(found.groups())
    for pattern in (_ISO_DATE, _ZH_DATE):
        found = pattern.search(article)
        if found:
            return _date(found.groups())
    found = _EN_DATE.search(article)
    if found:
        month, day, year = found.groups()
        return _date((year, str(_MONTHS.index(month) + 1), day))
    return None


def _date(parts: tuple[str, ...]) -> dt.date | None:
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _title(paras: list[Paragraph]) -> str | None:
    for paragraph in paras:
        found = re.match(r"^(?:原文|Title)[:：]\s*(.+?)\s*(?:\(\d{4}-[^)]*\))?$", paragraph.text)
        if found:
            return found.group(1)
    for paragraph in paras:
        if (
            len(paragraph.text) >= 8
            and "加载中" not in paragraph.text
            and not _URL.search(paragraph.text)
        ):
            return paragraph.text
    return None


def _author(paras: list[Paragraph]) -> str | None:
    patterns = (r"作者[:：]\s*(\S+)", r"^文\s*[|｜]\s*(\S+)", r"^By ([A-Z][\w.' -]+?)\s*$")
    for pattern in patterns:
        for paragraph in paras:
            found = re.search(pattern, paragraph.text)
            if found:
                return found.group(1)
    return None


def _publisher(link: str) -> str:
    host = re.sub(r"^https?://", "", link).split("/")[0].split(":")[0]
    return host.removeprefix("www.")
