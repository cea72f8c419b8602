"""Embeds as plain terminal text, for `summitbot preview`.

Shows what the bot would post — title, author, description, fields, footer — with the
Discord markdown the renderer adds turned into plain text, wrapped to a width that counts
CJK characters as two columns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import discord

__all__ = ["Vocabulary", "display_width", "embed_to_text", "markdown_to_plain", "wrap"]

_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]\((<?https?://[^)\s]+>?)\)")
_TOKEN = re.compile(r"\\(.)|\*\*|__|\*|`|\|\|", re.DOTALL)
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def _unescape(text: str) -> str:
    return _TOKEN.sub(lambda m: m.group(1) if m.group(1) is not None else "", text)


def markdown_to_plain(text: str) -> str:
    """Discord markdown → plain text: links become `title <url>`, emphasis markers go."""
    pieces: list[str] = []
    last = 0
    for match in _LINK.finditer(text):
        pieces.append(_unescape(text[last : match.start()]))
        url = match.group(2).strip("<>")
        pieces.append(f"{_unescape(match.group(1))} <{url}>")
        last = match.end()
    pieces.append(_unescape(text[last:]))
    return "".join(pieces)


def _char_width(ch: str) -> int:
    if ch in _ZERO_WIDTH or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Terminal columns `text` takes (CJK and emoji count two)."""
    return sum(_char_width(ch) for ch in text)


_WIDE = (
    "\u1100-\u115f\u2e80-\u303e\u3040-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
    "\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd"
)
# Whitespace · a URL (never split) · a run of non-wide characters (a Latin word with its
# punctuation, up to a URL glued to it) · one wide character (CJK may break between any two).
_TOKEN_RX = re.compile(
    rf"(\s+)|(<?https?://[^\s<>]+>?)|((?:(?!<?https?://)[^\s{_WIDE}])+)|(.)", re.DOTALL
)

#: Characters that must not start a line (closing punctuation, separators): they stay with
#: what comes before, so "A · B" breaks after the "·" and "，" never opens a line.
NO_LINE_START = frozenset("，。、；：！？）」』”’》〉】〕〗〙〛｝］…‥·・—,.;:!?)]}%")
#: Characters that must not end a line (opening punctuation): they stay with what follows.
NO_LINE_END = frozenset("（「『“‘《〈【〔〖〘〚｛［([{")
#: Break points at most this many columns back are preferred to a break inside a CJK run.
PREFER_SLACK = 4


@dataclass
class _Chunk:
    """Text that is never broken (unless wider than a line and not a URL)."""

    text: str
    space: bool  # a space separated it from the chunk before
    url: bool = False

    def end_is_soft(self) -> bool:
        """A break right after this chunk is a natural one (after punctuation)."""
        return self.text[-1] in NO_LINE_START


class Vocabulary:
    """Words never broken across lines, indexed by first character (longest first)."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.by_first: dict[str, list[str]] = {}
        for word in set(words):
            if len(word) > 1:
                self.by_first.setdefault(word[0], []).append(word)
        for candidates in self.by_first.values():
            candidates.sort(key=len, reverse=True)


def _vocabulary(keep: Vocabulary | Iterable[str]) -> Vocabulary:
    return keep if isinstance(keep, Vocabulary) else Vocabulary(keep)


def _chunks(text: str, keep: Vocabulary) -> list[_Chunk]:
    tokens = list(_TOKEN_RX.finditer(text))
    ends = {match.end() for match in tokens}
    chunks: list[_Chunk] = []
    space = False
    glue_next = False
    i = 0
    while i < len(tokens):
        match = tokens[i]
        if match.group(1) is not None:
            space = True
            i += 1
            continue
        start, piece, url = match.start(), match.group(), match.group(2) is not None
        # A vocabulary word (a name, a term) starting here and ending on a token boundary
        # is one unit: 唐杰 stays whole.
        for word in keep.by_first.get(text[start], ()):
            end = start + len(word)
            if end > match.end() and end in ends and text.startswith(word, start):
                piece = word
                while i + 1 < len(tokens) and tokens[i + 1].end() <= end:
                    i += 1
                break
        # "2026年": a number and the CJK unit right after it stay together.
        counted = not space and chunks and chunks[-1].text[-1].isdigit() and match.group(4)
        if chunks and (glue_next or piece[0] in NO_LINE_START or counted):
            last = chunks[-1]
            last.text += (" " if space else "") + piece
            last.url = last.url or url
        else:
            chunks.append(_Chunk(piece, space and bool(chunks), url))
        glue_next = piece[-1] in NO_LINE_END
        space = False
        i += 1
    return chunks


def wrap(
    text: str,
    width: int,
    indent: str = "",
    hang: str = "",
    keep: Vocabulary | Iterable[str] = (),
) -> list[str]:
    """Wrap one paragraph to `width` columns (CJK counts two).

    Latin words, URLs and the words in `keep` (names, terms) stay whole; CJK text may break
    between two characters, but not before closing punctuation or a separator (`，` `·`) nor
    after opening punctuation, and a break point up to PREFER_SLACK columns back wins over
    one inside a run of CJK. A URL wider than the line gets a line of its own, unsplit; any
    other token wider than the line is cut. Every line starts with `indent`; lines after
    the first add `hang` (a hanging indent).
    """
    room = max(width - display_width(indent + hang), 10)
    lines: list[str] = []
    line: list[_Chunk] = []
    for chunk in _chunks(text, _vocabulary(keep)):
        if _width([*line, chunk]) <= room:
            line.append(chunk)
            continue
        carry: list[_Chunk] = []
        if line and not chunk.space and not line[-1].end_is_soft():
            carry = _carry_back(line)
        if line:
            lines.append(_render(line))
        line = carry
        if _width([*line, chunk]) <= room:
            line.append(chunk)
        elif chunk.url:
            if line:
                lines.append(_render(line))
            lines.append(chunk.text)
            line = []
        else:
            if line:
                lines.append(_render(line))
            *full, rest = _cut(chunk.text, room)
            lines.extend(full)
            line = [_Chunk(rest, False)]
    if line or not lines:
        lines.append(_render(line))
    return [indent + (hang if index else "") + line for index, line in enumerate(lines)]


def _render(line: list[_Chunk]) -> str:
    return "".join((" " if chunk.space and i else "") + chunk.text for i, chunk in enumerate(line))


def _width(line: list[_Chunk]) -> int:
    return display_width(_render(line))


def _carry_back(line: list[_Chunk]) -> list[_Chunk]:
    """Take off the end of `line` what follows its last natural break, if that is short."""
    for k in range(len(line) - 1, 0, -1):
        if _width(line[k:]) > PREFER_SLACK:
            break
        if line[k].space or line[k - 1].end_is_soft():
            carry = line[k:]
            del line[k:]
            return carry
    return []


def _cut(text: str, room: int) -> list[str]:
    """Hard-break a token wider than the line into pieces that fit."""
    pieces = [""]
    for ch in text:
        if pieces[-1] and display_width(pieces[-1] + ch) > room:
            # Closing punctuation takes the character before it (and any punctuation between)
            # along to the new line, so that line starts with something that may start one.
            carried = ""
            if ch in NO_LINE_START:
                k = 1
                while k < len(pieces[-1]) and pieces[-1][-k] in NO_LINE_START:
                    k += 1
                carried = pieces[-1][-k:] if k < len(pieces[-1]) else ""
            pieces[-1] = pieces[-1][: len(pieces[-1]) - len(carried)]
            pieces.append(carried)
        pieces[-1] += ch
    return pieces


def _block(
    text: str,
    width: int,
    indent: str = "",
    keep: Vocabulary | Iterable[str] = (),
    spaced: bool = False,
) -> list[str]:
    """Wrap Markdown `text` paragraph by paragraph (quotes get a bar, bullets a hang).

    With `spaced`, plain paragraphs get a blank line between them as soon as one of them
    takes more than a line, so entries of a list (a summit's sections) stay apart.
    """
    paragraphs: list[tuple[bool, list[str]]] = []  # (plain paragraph?, its lines)
    for raw in markdown_to_plain(text).split("\n"):
        quote = raw.startswith("> ")
        body = raw[2:] if quote else raw
        prefix = indent + ("│ " if quote else "")
        if not body.strip():
            paragraphs.append((False, [prefix.rstrip()]))
            continue
        bullet = body[:2] in ("• ", "- ")
        hang = " " * display_width(body[:2]) if bullet else ""
        paragraphs.append((not quote and not bullet, wrap(body, width, prefix, hang, keep)))
    plain = [lines for is_plain, lines in paragraphs if is_plain]
    apart = spaced and len(plain) > 1 and any(len(lines) > 1 for lines in plain)
    out: list[str] = []
    for index, (is_plain, lines) in enumerate(paragraphs):
        if apart and is_plain and index and paragraphs[index - 1][0]:
            out.append("")
        out.extend(lines)
    return out


def embed_to_text(
    embed: discord.Embed, width: int = 80, keep: Vocabulary | Iterable[str] = ()
) -> str:
    """A readable terminal rendering of one embed.

    `keep` lists words never to break across lines (speaker names, terms: see `wrap`).
    """
    keep = _vocabulary(keep)
    rule = "─" * width
    lines: list[str] = [rule]
    if embed.author.name:
        lines.extend(_block(embed.author.name, width, keep=keep))
    if embed.title:
        lines.extend(wrap(markdown_to_plain(embed.title), width, keep=keep))
        if embed.url:
            lines.append(f"<{embed.url}>")
    if embed.description:
        lines.append("")
        lines.extend(_block(embed.description, width, keep=keep))
    for field in embed.fields:
        lines.append("")
        name = (field.name or "").strip(_ZERO_WIDTH)
        if name:
            lines.extend(wrap(markdown_to_plain(name), width, "▌ ", keep=keep))
        lines.extend(_block(field.value or "", width, "  ", keep, spaced=True))
    if embed.footer.text:
        lines.append("")
        for paragraph in markdown_to_plain(embed.footer.text).split("\n"):
            footer = wrap(paragraph, width, hang="  ", keep=keep)
            lines.extend(["— " + footer[0], *footer[1:]])
    lines.append(rule)
    return "\n".join(lines)
