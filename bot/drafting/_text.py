"""An article as paragraphs, and the quoted spans in them."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Opening mark → closing mark. A straight double quote opens and closes.
_PAIRS = {"“": "”", "「": "」", "『": "』", '"': '"'}
_SENTENCE_END = "。！？!?"
# Characters that make a span read as a sentence, not a label ("露脸", "开源四杰").
_CLAUSE_MARKS = frozenset("，,。！？!?；;：:、")
_HEADING = re.compile(r"^(?:0?\d{1,2}|[一二三四五六七八九十]+)[\s、.．]*(?=\S)")
# Short scare quotes and labels stay out: fewer characters than this and no clause mark.
MIN_STATEMENT_CHARS = 6
MIN_STATEMENT_WORDS = 5


@dataclass(frozen=True)
class Paragraph:
    index: int
    line: int  # 1-based line in the article
    text: str
    heading: str | None  # the heading text when the paragraph is a numbered section heading


@dataclass(frozen=True)
class Span:
    """A quoted span: `text` is paragraph[start:end], without its quote marks."""

    paragraph: Paragraph
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.paragraph.text[self.start : self.end]


def paragraphs(article: str) -> list[Paragraph]:
    """Non-empty lines, each a paragraph, with their line numbers."""
    found: list[Paragraph] = []
    for number, raw in enumerate(article.splitlines(), start=1):
        text = raw.strip()
        if text:
            found.append(Paragraph(len(found), number, text, _heading(text)))
    return found


def _heading(text: str) -> str | None:
    """`01“大模型…”` or `02 Scaling仍在继续` → the heading's title; None for prose."""
    match = _HEADING.match(text)
    if match is None or len(text) > 40 or any(mark in text for mark in "。！？"):
        return None
    title = text[match.end() :].strip()
    for opening, closing in _PAIRS.items():
        if title.startswith(opening) and title.endswith(closing) and len(title) > 2:
            title = title[1:-1]
    return title or None


def spans(paragraph: Paragraph) -> list[Span]:
    """Every top-level quoted span of the paragraph, in order (nested quotes stay inside)."""
    text = paragraph.text
    found: list[Span] = []
    position = 0
    while position < len(text):
        opening = text[position]
        closing = _PAIRS.get(opening)
        if closing is None or (opening == '"' and not _opens_straight(text, position)):
            position += 1
            continue
        end = _closing(text, position + 1, opening, closing)
        if end < 0:
            position += 1
            continue
        if end > position + 1:
            found.append(Span(paragraph, position + 1, end))
        position = end + 1
    return found


def _opens_straight(text: str, position: int) -> bool:
    # A straight quote opens a span when what follows is not a space.
    return position + 1 < len(text) and not text[position + 1].isspace()


def _closing(text: str, start: int, opening: str, closing: str) -> int:
    depth = 0
    for position in range(start, len(text)):
        ch = text[position]
        if ch == closing and depth == 0:
            return position
        if opening != closing and ch == opening:
            depth += 1
        elif opening != closing and ch == closing:
            depth -= 1
    return -1


def is_statement(span: Span) -> bool:
    """A quoted statement, not a scare quote, a label or a section heading."""
    if span.paragraph.heading is not None:
        return False
    text = span.text.strip()
    if latin_share(text) > 0.5:
        words = text.split()
        return len(words) >= MIN_STATEMENT_WORDS or (
            len(words) >= 3 and any(ch in _CLAUSE_MARKS for ch in text)
        )
    if any(ch in _CLAUSE_MARKS for ch in text):
        return len(text) >= 4
    return len("".join(text.split())) >= MIN_STATEMENT_CHARS


def latin_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(ch.isascii() for ch in letters) / len(letters)


def _ends_sentence(text: str, index: int) -> bool:
    # A full stop ends an English sentence only before a space: not in GLM-4.5 or DeepLearning.AI.
    if text[index] in _SENTENCE_END:
        return True
    return text[index] == "." and (index + 1 == len(text) or text[index + 1].isspace())


def sentence_start(text: str, position: int, floor: int) -> int:
    """Where the sentence holding `position` starts (not before `floor`)."""
    for index in range(position - 1, floor - 1, -1):
        if _ends_sentence(text, index):
            return index + 1
    return floor


def sentence_end(text: str, position: int, ceiling: int) -> int:
    """Where the sentence holding `position` ends (not after `ceiling`)."""
    for index in range(position, ceiling):
        if _ends_sentence(text, index):
            return index + 1
    return ceiling
