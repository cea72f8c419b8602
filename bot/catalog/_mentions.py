"""Glossary terms in text: scanning a message, and the quotes that mention a term."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.catalog._normalize import fold
from bot.catalog._quotes import QuoteTextIndex
from bot.catalog._scan import TermScanner, scan_fold
from bot.catalog.models import Pack, Quote, Term

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in a message; `text` is `message[start:end]`."""

    term: Term
    start: int
    end: int
    text: str


class TermMentions:
    """Term scanning over the catalog's terms (newest summit first) and quotes.

    `term_packs[i]` is the pack id of `terms[i]`.
    """

    def __init__(
        self,
        terms: Sequence[Term],
        term_packs: Sequence[str],
        quotes: Sequence[Quote],
        quote_text: QuoteTextIndex,
    ) -> None:
        self._terms = terms
        self._term_packs = term_packs
        self._quotes = quotes
        self._quote_text = quote_text
        self._scanner = TermScanner([(t.term.zh, t.term.en, *t.aliases) for t in terms])
        # A surface two summits' terms share is one match (the newest summit's term, as the
        # scanner keeps the first); `scan(prefer=)` swaps in a given summit's own term.
        self._term_by_surface: dict[tuple[str, str], int] = {}
        for position, (term, pack_id) in enumerate(zip(terms, term_packs, strict=True)):
            for form in (term.term.zh, term.term.en, *term.aliases):
                self._term_by_surface.setdefault((scan_fold(form), pack_id), position)

    def scan(self, text: str, prefer: str | None = None) -> list[TermMatch]:
        """Glossary terms in `text`: leftmost-longest, Latin on word boundaries, each once.

        A surface several summits define is one match: the term of summit `prefer` when it
        defines the surface, else the newest summit's."""
        matches: list[TermMatch] = []
        seen: set[str] = set()
        for index, start, end in self._scanner.scan(text):
            term = self._terms[index]
            if prefer is not None and self._term_packs[index] != prefer:
                own = self._term_by_surface.get((scan_fold(text[start:end]), prefer))
                term = term if own is None else self._terms[own]
            if term.id not in seen:
                seen.add(term.id)
                matches.append(TermMatch(term, start, end, text[start:end]))
        return matches

    def best_quote_mentioning(
        self, term: Term, term_pack: str, key: Callable[[Quote], SupportsRichComparison]
    ) -> Quote | None:
        """The first by `key` of the quotes whose text mentions `term` (of pack `term_pack`)."""
        quotes = self._quotes
        # Natural order, then a stable sort: among equals the first in pack order, as min().
        ranked = sorted(sorted(self._mention_candidates(term)), key=lambda i: key(quotes[i]))
        return next((quotes[i] for i in ranked if self._mentions(i, term, term_pack)), None)

    def _mention_candidates(self, term: Term) -> set[int]:
        """Quotes whose zh/en text holds a surface form of `term` (a superset of mentions)."""
        # The text index narrows the quotes to those holding a surface form; the scanner then
        # applies its word-boundary and longest-match rules (Token inside Token Efficiency
        # is not a mention of Token).
        candidates: set[int] = set()
        for surface in (term.term.zh, term.term.en, *term.aliases):
            needle = fold(surface)
            if needle:
                candidates.update(self._quote_text.spoken_containing(needle))
        return candidates

    def _mentions(self, index: int, term: Term, term_pack: str) -> bool:
        quote = self._quotes[index]
        return any(
            match.term.id == term.id
            for text in (quote.text.zh, quote.text.en)
            for match in self.scan(text, prefer=term_pack)
        )

    def related_term(self, quote: Quote, pack: Pack) -> Term | None:
        """The first term quote `quote` of `pack` mentions, else one of the pack's terms
        sharing a topic with it, else None."""
        text = f"{quote.text.zh}\n{quote.text.en}"
        for match in self.scan(text, prefer=pack.id):
            return match.term
        topics = set(quote.topics)
        for term in pack.terms:
            if topics.intersection(term.topics):
                return term
        return None
