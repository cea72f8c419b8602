"""Reload every content pack without a restart (SIGHUP or `/admin reload`).

The new catalog is built in a worker thread while the running one keeps answering commands
and autocomplete; it replaces the running one in a single assignment only when every pack is
valid. Invalid content changes nothing and every problem is reported. Reloads are serialized
by the content holder's lock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.catalog import ContentError, load_catalog

if TYPE_CHECKING:
    from bot.app import SummitBot

__all__ = ["ReloadResult", "reload_content"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadResult:
    """What a reload did: `ok` with the new counts, or the problems (`file:line: message`)."""

    ok: bool
    seconds: float
    problems: tuple[str, ...] = ()
    packs: int = 0
    speakers: int = 0
    quotes: int = 0
    terms: int = 0
    topics: int = 0


async def reload_content(bot: SummitBot) -> ReloadResult:
    """Load `content.path` again; swap it in if valid, else keep the running content."""
    holder = bot.content
    path = bot.settings.content.path
    async with holder.lock:
        started = time.perf_counter()
        try:
            catalog = await asyncio.to_thread(load_catalog, path)
        except ContentError as error:
            problems = tuple(str(issue) for issue in error.issues)
        except OSError as error:  # the folder itself is unreadable
            problems = (f"{path}: {error.strerror or error}",)
        else:
            holder.catalog = catalog
            result = ReloadResult(
                ok=True,
                seconds=time.perf_counter() - started,
                packs=len(catalog.packs),
                speakers=len(catalog.speakers),
                quotes=len(catalog.quotes),
                terms=len(catalog.terms),
                topics=len(catalog.topics),
            )
            bot.metrics.content_reload(ok=True)
            log.info(
                "content reloaded from %s: %d packs, %d speakers, %d quotes, %d terms",
                path,
                result.packs,
                result.speakers,
                result.quotes,
                result.terms,
            )
            return result
    for problem in problems:
        log.error("content reload: %s", problem)
    log.error(
        "content reload failed with %d problem(s); the running content is unchanged",
        len(problems),
    )
    bot.metrics.content_reload(ok=False)
    return ReloadResult(ok=False, seconds=time.perf_counter() - started, problems=problems)
