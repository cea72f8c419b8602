"""Draft content packs from an article: the mechanical part of curating a summit. No Discord here.

`make_draft` reads a plain-text article (Chinese, a panel transcript, or an English report) and
proposes quotes with their speakers, speakers with roles, sections, glossary candidates and the
event's header; `write_draft` writes it in the pack format with `draft: true` and `TODO(...)`
markers for what an editor must still do (see `bot.catalog.drafts`).
"""

from bot.drafting._draft import (
    Draft,
    DraftError,
    DraftEvent,
    DraftQuote,
    DraftSection,
    DraftSpeaker,
    make_draft,
)
from bot.drafting._write import write_draft

__all__ = [
    "Draft",
    "DraftError",
    "DraftEvent",
    "DraftQuote",
    "DraftSection",
    "DraftSpeaker",
    "make_draft",
    "write_draft",
]
