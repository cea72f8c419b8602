"""Content packs: models, loading with validation, and the search index. No Discord here."""

from bot.catalog._errors import ContentError, ContentIssue
from bot.catalog.index import Catalog, Kind, Suggestion, TermMatch
from bot.catalog.loader import load_catalog
from bot.catalog.verify import verify_quotes

__all__ = [
    "Catalog",
    "ContentError",
    "ContentIssue",
    "Kind",
    "Suggestion",
    "TermMatch",
    "load_catalog",
    "verify_quotes",
]
