"""Reload every content pack without a restart (SIGHUP or `/admin reload`).

The new catalog is built in a separate worker process while the running one keeps answering
commands and autocomplete; it replaces the running one in a single assignment only when every
pack is valid. Invalid content changes nothing and every problem is reported. Reloads are
serialized by the content holder's lock.

Why a process: loading and indexing a big pack is pure CPU work that holds the GIL, so in a
thread it stalled the event loop for up to a second at 10,000 quotes (`bench/reload.py`). The
worker (spawned fresh for each reload, so it never inherits the bot's sockets or threads, and
gone afterwards) sends the catalog back pickled. Rebuilding those objects here still costs
CPU, so it runs in a thread that reads the pickle through a Python-level reader: the unpickler
calls back into Python for every 64 KiB frame, where the interpreter can hand the GIL to the
event loop.
Cyclic garbage collection is paused meanwhile, and the new objects then go straight to the
oldest generation: they are all alive, and collecting while hundreds of thousands of them are
young would scan them again and again.
"""

from __future__ import annotations

import asyncio
import gc
import io
import logging
import multiprocessing
import os
import pickle
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.catalog import Catalog, ContentError, load_catalog

if TYPE_CHECKING:
    from bot.app import SummitBot

__all__ = ["BuiltCatalog", "ReloadResult", "build_catalog_in_worker", "reload_content"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuiltCatalog:
    """A catalog built in a worker process, and that process's id."""

    catalog: Catalog
    worker_pid: int


def _build_pickled(content_path: Path) -> tuple[int, bytes]:
    """In the worker: load every pack and pickle the catalog (errors travel as exceptions)."""
    catalog = load_catalog(content_path)
    return os.getpid(), pickle.dumps(catalog, protocol=pickle.HIGHEST_PROTOCOL)


class _FrameReader:
    """A file over bytes whose methods are Python code, so unpickling yields the GIL often."""

    def __init__(self, data: bytes) -> None:
        self._stream = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)

    def readinto(self, buffer: bytearray | memoryview) -> int:
        return self._stream.readinto(buffer)

    def readline(self) -> bytes:
        return self._stream.readline()


def _unpickle_catalog(data: bytes) -> Catalog:
    """Rebuild a pickled catalog (run in a thread; see the module docstring)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        catalog = pickle.load(_FrameReader(data))  # our own worker's output
        # Move every tracked object, the new catalog's included, straight to the oldest
        # generation (freeze, then unfreeze into it): the young generations would otherwise
        # scan these hundreds of thousands of live objects on their way up (180 ms at 10,000
        # quotes), and their promotion would trigger a full collection. Nothing is left
        # frozen, so garbage among them is still collected by the next full collection.
        gc.freeze()
        gc.unfreeze()
    finally:
        if collecting:
            gc.enable()
    if not isinstance(catalog, Catalog):
        raise TypeError(f"the reload worker sent a {type(catalog).__name__}, not a Catalog")
    return catalog


async def build_catalog_in_worker(content_path: Path) -> BuiltCatalog:
    """Load `content_path` in a fresh worker process; raises what `load_catalog` raises."""
    loop = asyncio.get_running_loop()
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
    try:
        pid, data = await loop.run_in_executor(pool, _build_pickled, content_path)
    finally:
        # Don't block the loop joining the worker: it exits on its own once told to.
        pool.shutdown(wait=False, cancel_futures=True)
    catalog = await asyncio.to_thread(_unpickle_catalog, data)
    return BuiltCatalog(catalog, pid)


@dataclass(frozen=True)
class ReloadResult:
    """What a reload did: `ok` with the new counts, or the problems (`file:line: message`).

    `worker_pid` is the process that built the new catalog (0 when none was built)."""

    ok: bool
    seconds: float
    problems: tuple[str, ...] = ()
    worker_pid: int = 0
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
            built = await build_catalog_in_worker(path)
        except ContentError as error:
            problems = tuple(str(issue) for issue in error.issues)
        except OSError as error:  # the folder itself is unreadable
            problems = (f"{path}: {error.strerror or error}",)
        except BrokenProcessPool as error:  # killed (out of memory?) before it answered
            problems = (f"{path}: the process loading the content died ({error})",)
        else:
            catalog = holder.catalog = built.catalog
            result = ReloadResult(
                ok=True,
                seconds=time.perf_counter() - started,
                worker_pid=built.worker_pid,
                packs=len(catalog.packs),
                speakers=len(catalog.speakers),
                quotes=len(catalog.quotes),
                terms=len(catalog.terms),
                topics=len(catalog.topics),
            )
            bot.metrics.content_reload(ok=True)
            log.info(
                "content reloaded from %s (built in process %d): "
                "%d packs, %d speakers, %d quotes, %d terms",
                path,
                built.worker_pid,
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
