"""Embeds as plain terminal text, for `summitbot preview`.

Shows what the bot would post — title, author, description, fields, footer — with the
Discord markdown the renderer adds turned into plain text, wrapped to a width that counts
CJK characters as two columns.
"""

from __future__ import annotations

import re
import unicodedata

import discord

__all__ = ["display_width", "embed_to_text", "markdown_to_plain", "wrap"]

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


_WORD = re.compile(r"\s+|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+|.", re.DOTALL)


def wrap(text: str, width: int, indent: str = "", hang: str = "") -> list[str]:
    """Wrap one paragraph: Latin words stay whole, CJK breaks between any two characters.

    Every line starts with `indent`; lines after the first add `hang` (a hanging indent).
    """
    room = max(width - display_width(indent + hang), 10)
    lines: list[str] = []
    current = ""
    for token in _WORD.findall(text):
        if token.isspace():
            if current:
                current += " "
            continue
        while display_width(token) > room:
            # A single token wider than the line (a long URL): hard-break it.
            take = ""
            for ch in token:
                if display_width(current + take + ch) > room:
                    break
                take += ch
            if not take and current:
                lines.append(current.rstrip())
                current = ""
                continue
            lines.append((current + take).rstrip())
            current = ""
            token = token[len(take) :]
        if display_width(current + token) > room and current.strip():
            lines.append(current.rstrip())
            current = ""
        current += token
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return [indent + (hang if index else "") + line for index, line in enumerate(lines)]


def _block(text: str, width: int, indent: str = "") -> list[str]:
    out: list[str] = []
    for raw in markdown_to_plain(text).split("\n"):
        quote = raw.startswith("> ")
        body = raw[2:] if quote else raw
        prefix = indent + ("│ " if quote else "")
        if not body.strip():
            out.append(prefix.rstrip())
            continue
        hang = " " * display_width(body[:2]) if body[:2] in ("• ", "- ") else ""
        out.extend(wrap(body, width, prefix, hang))
    return out


def embed_to_text(embed: discord.Embed, width: int = 80) -> str:
    """A readable terminal rendering of one embed."""
    rule = "─" * width
    lines: list[str] = [rule]
    if embed.author.name:
        lines.extend(_block(embed.author.name, width))
    if embed.title:
        lines.extend(wrap(markdown_to_plain(embed.title), width))
        if embed.url:
            lines.append(f"<{embed.url}>")
    if embed.description:
        lines.append("")
        lines.extend(_block(embed.description, width))
    for field in embed.fields:
        lines.append("")
        name = (field.name or "").strip(_ZERO_WIDTH)
        if name:
            lines.extend(wrap(markdown_to_plain(name), width, "▌ "))
        lines.extend(_block(field.value or "", width, "  "))
    if embed.footer.text:
        lines.append("")
        lines.extend(wrap(markdown_to_plain(embed.footer.text), width, "— "))
    lines.append(rule)
    return "\n".join(lines)
