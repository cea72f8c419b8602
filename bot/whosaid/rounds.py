"""Which quotes make a fair "who said it?" round, and how a round hides its answer.

**Give-aways.** A quote gives its speaker away when it names the speaker's own company or
product (Kimi for 杨植麟, Qwen for 林俊旸). The rule is derived from the content, so a new pack
needs no list: a speaker's give-aways are

1. the glossary terms their ``role`` mentions (in either language), with each such term's
   family: the terms whose id extends it (``kimi`` → ``kimi-k2``, ``qwen`` → ``qwen3``);
2. the proper names in their English ``role`` that are not titles or generic institution words
   (``Founder of Kimi; CEO of Moonshot AI`` → Kimi, Moonshot).

A quote is left out of rounds when its text (Chinese or English) contains one of its own
speaker's give-aways. Quotes naming the speaker themself are not left out: their names are
masked instead (:func:`mask_speaker`).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable

from bot.catalog import Catalog
from bot.catalog.models import Quote, Speaker

__all__ = [
    "MASK",
    "choices_for",
    "giveaway_words",
    "gives_away",
    "mask_speaker",
    "round_marker",
    "round_pool",
]

#: What a masked name is replaced with.
MASK = "███"

#: Words of an English role that name a title or a kind of institution, not an organisation.
_GENERIC = frozenset(
    word.casefold()
    for word in (
        "AI",
        "Academy",
        "Adjunct",
        "Canada",
        "CEO",
        "Chair",
        "Chief",
        "Cofounder",
        "Co-founder",
        "Dean",
        "Director",
        "Emeritus",
        "Engineer",
        "Executive",
        "Fellow",
        "Founder",
        "Head",
        "Hong",
        "Kong",
        "Lab",
        "Laboratory",
        "Lead",
        "Manager",
        "Member",
        "Office",
        "Officer",
        "President",
        "Professor",
        "Research",
        "Researcher",
        "Royal",
        "Science",
        "Scientist",
        "Senior",
        "Society",
        "Technical",
        "Technology",
        "The",
        "University",
        "Vice",
    )
)

_PROPER = re.compile(r"\b[A-Z][A-Za-z0-9.\-]*[A-Za-z0-9]")


def _role_names(speaker: Speaker) -> set[str]:
    """Proper names in the English role: organisations and products."""
    found: set[str] = set()
    for match in _PROPER.finditer(speaker.role.en):
        word = match.group(0)
        word = re.sub(r"'s$", "", word)
        if len(word) >= 3 and word.casefold() not in _GENERIC and not word.isupper():
            found.add(word)
        elif len(word) >= 3 and word.isupper() and word.casefold() not in _GENERIC:
            found.add(word)  # an acronym that is a name (e.g. HKUST)
    return found


@functools.lru_cache(maxsize=256)
def _giveaways(catalog: Catalog, speaker_id: str) -> tuple[frozenset[str], frozenset[str]]:
    """(glossary term ids, words) that give ``speaker_id`` away."""
    speaker = catalog.speakers[speaker_id]
    named = {m.term.id for m in catalog.scan_terms(f"{speaker.role.zh}\n{speaker.role.en}")}
    family = {
        term_id
        for term_id in catalog.terms
        if any(term_id == base or term_id.startswith(base) for base in named)
    }
    return frozenset(family), frozenset(_role_names(speaker))


def giveaway_words(catalog: Catalog, speaker: Speaker) -> tuple[frozenset[str], frozenset[str]]:
    """The glossary term ids and the words that give ``speaker`` away (see the module doc)."""
    return _giveaways(catalog, speaker.id)


def gives_away(catalog: Catalog, quote: Quote) -> bool:
    """Whether the quote's text names its own speaker's company or product."""
    term_ids, words = _giveaways(catalog, quote.speaker)
    text = f"{quote.text.zh}\n{quote.text.en}"
    if any(match.term.id in term_ids for match in catalog.scan_terms(text)):
        return True
    folded = text.casefold()
    return any(
        re.search(rf"(?<![a-z0-9]){re.escape(word.casefold())}(?![a-z0-9])", folded)
        for word in words
    )


def round_pool(catalog: Catalog, quotes: Iterable[Quote] | None = None) -> list[Quote]:
    """The quotes fit for a round (``quotes``: a narrower pool, e.g. one topic's), in order."""
    candidates = catalog.quotes.values() if quotes is None else quotes
    return [quote for quote in candidates if not gives_away(catalog, quote)]


def choices_for(catalog: Catalog, quote: Quote) -> tuple[Speaker, ...]:
    """The answer buttons of a round: every speaker of the quote's pack, in the pack's order
    (stable, and the same for every quote, so the order says nothing)."""
    return catalog.pack_of(quote).speakers


def _name_forms(speaker: Speaker) -> list[str]:
    """Every way the speaker's name may be written: Chinese, English, aliases, pinyin run
    together or reversed, longest first so a full name is masked before its parts."""
    forms = {speaker.name.zh, speaker.name.en, *speaker.aliases}
    parts = speaker.name.en.split()
    if len(parts) >= 2:
        forms.add("".join(parts))
        forms.add(" ".join(reversed(parts)))
        forms.add("".join(reversed(parts)))
    forms.add(speaker.id)
    return sorted((f for f in forms if f.strip()), key=len, reverse=True)


def mask_speaker(text: str, speaker: Speaker) -> str:
    """``text`` with every form of the speaker's name replaced by :data:`MASK`."""
    for form in _name_forms(speaker):
        if form.isascii():
            pattern = rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])"
            text = re.sub(pattern, MASK, text, flags=re.IGNORECASE)
        else:
            text = text.replace(form, MASK)
    return text


def round_marker(quote_id: str) -> str:
    """An opaque mark of a round's quote for its footer: the quote id names the speaker, so a
    round shows this instead (the digest finds a post it made by its footer's last word)."""
    return "#" + hashlib.sha256(quote_id.encode()).hexdigest()[:10]
