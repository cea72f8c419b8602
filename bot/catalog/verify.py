"""Check that every quote's Chinese text appears verbatim in the source article."""

from __future__ import annotations

import re
import unicodedata

from bot.catalog.index import Catalog
from bot.catalog.models import Quote

# NFKC already folds full-width ASCII punctuation (，：（）！？) to half-width; these are the
# CJK marks it leaves alone, mapped to the half-width mark an article may use instead.
_PUNCTUATION = str.maketrans(
    {
        "。": ".",
        "、": ",",
        "“": '"',
        "”": '"',
        "„": '"',
        "‘": "'",
        "’": "'",
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "《": "<",
        "》": ">",
        "〈": "<",
        "〉": ">",
        "【": "[",
        "】": "]",
    }
)
_WHITESPACE = re.compile(r"\s+")
# An elided passage in a quote: each side must appear in the source, in order.
_ELISION = re.compile(r"\.{3,}|…+")


def _comparable(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION)
    return _WHITESPACE.sub("", text)


def _appears_in(quote_text: str, source: str) -> bool:
    position = 0
    for fragment in _ELISION.split(_comparable(quote_text)):
        if not fragment:
            continue
        found = source.find(fragment, position)
        if found < 0:
            return False
        position = found + len(fragment)
    return True


def verify_quotes(catalog: Catalog, source_text: str) -> list[Quote]:
    """Quotes whose `text.zh` is not in `source_text`, in catalog order.

    Compared after NFKC and removing all whitespace; full/half-width punctuation may differ,
    and an ellipsis in a quote (… or ...) marks an elision between fragments.
    """
    source = _comparable(source_text)
    return [quote for quote in catalog.quotes.values() if not _appears_in(quote.text.zh, source)]
