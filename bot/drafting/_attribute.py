"""Who said each quoted span: names, pronouns and descriptive references resolved in order."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.drafting._people import TITLES
from bot.drafting._text import Paragraph, Span, latin_share, sentence_end, sentence_start

# Confidence of each way of finding the speaker; below CONFIRM_BELOW the editor must confirm.
NAMED = 0.9
REFERRED = 0.75
CONTINUED = 0.6
PARAGRAPH = 0.5
LAST_NAMED = 0.3
CONFIRM_BELOW = 0.6

_ZH_PRONOUN = re.compile(r"(?<![其])[他她](?![们人])")
_ZH_REFERENCE = re.compile(
    r"(?:这位|该|此位)[^，,。；;：:“”\"]{0,20}?(?:" + "|".join(map(re.escape, TITLES)) + ")"
)
_EN_PRONOUN = re.compile(r"\b(?:he|she|He|She)\b")
_EN_REFERENCE = re.compile(
    r"\bthe (?:professor|researcher|executive|founder|scientist|engineer|investor|CEO)\b"
)


@dataclass(frozen=True)
class Attribution:
    speaker: str | None  # a person's name as the article writes it
    confidence: float
    how: str


@dataclass(frozen=True)
class _Mention:
    paragraph: int
    offset: int
    name: str | None  # None: a pronoun or descriptive reference to resolve


class Attributor:
    """Resolves speakers for the statements of one article, given the people found in it."""

    def __init__(
        self,
        paragraphs: list[Paragraph],
        spans: list[Span],
        names: list[str],
        surnames: dict[str, str],
    ) -> None:
        self._paragraphs = paragraphs
        self._names = sorted(names, key=len, reverse=True)
        self._surnames = surnames  # English: "Lopez" → "Maria Lopez"
        self._quoted: dict[int, list[tuple[int, int]]] = {}
        for span in spans:
            self._quoted.setdefault(span.paragraph.index, []).append((span.start - 1, span.end + 1))
        self._named: list[_Mention] = []
        for paragraph in paragraphs:
            for mention in self._mentions(paragraph, 0, len(paragraph.text)):
                if mention.name is not None:
                    self._named.append(mention)

    def attribute(self, statements: list[Span]) -> list[Attribution]:
        """One attribution per statement, in order."""
        results: list[Attribution] = []
        for position, span in enumerate(statements):
            paragraph = span.paragraph
            previous = statements[position - 1] if position else None
            following = statements[position + 1] if position + 1 < len(statements) else None
            same_previous = previous is not None and previous.paragraph is paragraph
            floor = previous.end + 1 if previous is not None and same_previous else 0
            ceiling = (
                following.start - 1
                if following is not None and following.paragraph is paragraph
                else len(paragraph.text)
            )
            found = self._around(span, floor, ceiling)
            if found is None and same_previous:
                found = Attribution(results[-1].speaker, CONTINUED, "continues the previous quote")
            if found is None:
                found = self._paragraph_subject(paragraph)
            if found is None:
                name = self._last_named(paragraph.index, 0)
                found = Attribution(name, LAST_NAMED if name else 0.0, "last person named before")
            results.append(found)
        return results

    def _around(self, span: Span, floor: int, ceiling: int) -> Attribution | None:
        text = span.paragraph.text
        opening = span.start - 1
        start = sentence_start(text, opening, floor)
        before = self._mentions(span.paragraph, start, opening)
        if before:
            return self._resolve(before[-1], "named before the quote")
        closing = span.end + 1
        end = sentence_end(text, closing, ceiling)
        after = self._mentions(span.paragraph, closing, end)
        if after:
            return self._resolve(after[0], "named after the quote")
        return None

    def _paragraph_subject(self, paragraph: Paragraph) -> Attribution | None:
        mentions = self._mentions(paragraph, 0, len(paragraph.text))
        if not mentions:
            return None
        first = self._resolve(mentions[0], "the paragraph's subject")
        return Attribution(first.speaker, min(first.confidence, PARAGRAPH), first.how)

    def _resolve(self, mention: _Mention, how: str) -> Attribution:
        if mention.name is not None:
            return Attribution(mention.name, NAMED, how)
        name = self._last_named(mention.paragraph, mention.offset)
        if name is None:
            return Attribution(None, 0.0, "a reference to nobody named before")
        return Attribution(name, REFERRED, f"{how}, by reference")

    def _last_named(self, paragraph: int, offset: int) -> str | None:
        last: str | None = None
        for mention in self._named:
            if (mention.paragraph, mention.offset) >= (paragraph, offset):
                break
            last = mention.name
        return last

    def _mentions(self, paragraph: Paragraph, start: int, end: int) -> list[_Mention]:
        """Names, pronouns and references in text[start:end], outside every quoted span."""
        text = paragraph.text
        quoted = self._quoted.get(paragraph.index, [])
        taken: list[tuple[int, int]] = []
        found: list[_Mention] = []

        def add(position: int, length: int, name: str | None) -> None:
            stop = position + length
            if position < start or stop > end:
                return
            if any(a <= position < b for a, b in quoted):
                return
            if any(a < stop and position < b for a, b in taken):
                return
            taken.append((position, stop))
            found.append(_Mention(paragraph.index, position, name))

        for name in self._names:
            for match in re.finditer(re.escape(name), text):
                add(match.start(), len(name), name)
        for surname, name in self._surnames.items():
            for match in re.finditer(rf"\b{re.escape(surname)}\b", text):
                add(match.start(), len(surname), name)
        english = latin_share(text) > 0.5
        for pattern in (_EN_REFERENCE, _EN_PRONOUN) if english else (_ZH_REFERENCE, _ZH_PRONOUN):
            for match in pattern.finditer(text):
                add(match.start(), match.end() - match.start(), None)
        return sorted(found, key=lambda mention: mention.offset)
