"""Growth: how load time, memory, autocomplete, search and term scanning scale with pack size.

For each size (1,000 / 10,000 / 100,000 quotes; always 10,000 terms and 1,000 speakers) the
generator writes a pack, then a fresh Python process loads it through the real loader and runs
the workloads, so every size starts from the same empty process and memory deltas are clean.

    python -m bench growth                # all sizes, via the bench runner
    python -m bench.growth --worker DIR   # one measurement in this process (what the runner spawns)
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench._util import REPO, peak_rss_mb, rss_mb, summary

SIZES = (1_000, 10_000, 100_000)
SEED = 7
#: Timed passes over each workload (a figure is the median of its passes).
PASSES = 3

Keystroke = tuple[str, str, str]  # (kind, query typed so far, what is being typed)


def _ms(start: int, end: int) -> float:
    return (end - start) / 1e6


def _timed(samples: list[float], fn: Callable[[], object]) -> object:
    start = time.perf_counter_ns()
    result = fn()
    samples.append(_ms(start, time.perf_counter_ns()))
    return result


def _prefixes(text: str, start: int = 1) -> Iterator[str]:
    for end in range(start, len(text) + 1):
        yield text[:end]


def _typo(rng: random.Random, text: str) -> str:
    """One realistic slip in the middle of a word: swap, drop, double or replace a letter."""
    if len(text) < 4:
        return text
    position = rng.randrange(1, len(text) - 1)
    slip = rng.choice(("swap", "drop", "double", "replace"))
    if slip == "swap":
        return text[:position] + text[position + 1] + text[position] + text[position + 2 :]
    if slip == "drop":
        return text[:position] + text[position + 1 :]
    if slip == "double":
        return text[:position] + text[position] + text[position:]
    return text[:position] + rng.choice("aeiourstln") + text[position + 1 :]


def keystrokes(catalog: Any, rng: random.Random) -> list[Keystroke]:
    """Every prefix a user types while looking up real entries: names in zh and en, aliases,
    pinyin and initials, typos; and quote search words in zh and en."""
    from pypinyin import lazy_pinyin

    from bot.catalog._normalize import pinyin_keys

    strokes: list[Keystroke] = []
    speakers = rng.sample(list(catalog.speakers.values()), 60)
    terms = rng.sample(list(catalog.terms.values()), 120)
    for kind, entries in (("speaker", speakers), ("term", terms)):
        for entry in entries:
            name = entry.name if kind == "speaker" else entry.term
            strokes += [(kind, q, "zh name") for q in _prefixes(name.zh)]
            strokes += [(kind, q, "en name") for q in _prefixes(name.en)]
            full, initials = pinyin_keys(name.zh)[0]
            spaced = " ".join(lazy_pinyin(name.zh))
            strokes += [(kind, q, "pinyin") for q in _prefixes(full)]
            strokes += [(kind, q, "pinyin") for q in _prefixes(spaced, len(full) // 2)]
            strokes += [(kind, q, "initials") for q in _prefixes(initials)]
            for alias in entry.aliases[:1]:
                strokes += [(kind, q, "alias") for q in _prefixes(alias)]
            strokes += [(kind, q, "typo") for q in _prefixes(_typo(rng, name.en.lower()), 3)]
    topics = list(catalog.topics.values())
    for topic in rng.sample(topics, min(10, len(topics))):
        strokes += [("topic", q, "en name") for q in _prefixes(topic.name.en)]
    quotes = rng.sample(list(catalog.quotes.values()), 120)
    for quote in quotes:
        zh = quote.text.zh
        start = rng.randrange(max(1, len(zh) - 8))
        strokes += [("quote", q, "zh words") for q in _prefixes(zh[start : start + 8].strip())]
        words = quote.text.en.split()
        first = rng.randrange(max(1, len(words) - 3))
        phrase = " ".join(words[first : first + 3])
        strokes += [("quote", q, "en words") for q in _prefixes(phrase)]
        strokes += [("quote", q, "typo") for q in _prefixes(_typo(rng, phrase.lower()), 4)]
    return [(kind, q, what) for kind, q, what in strokes if q.strip()]


def search_queries(catalog: Any, rng: random.Random) -> list[tuple[str, str | None, str]]:
    """(search text, speaker filter, what) as `/quote search:` and `/quotes` receive them."""
    queries: list[tuple[str, str | None, str]] = []
    quotes = rng.sample(list(catalog.quotes.values()), 150)
    for quote in quotes[:50]:
        start = rng.randrange(max(1, len(quote.text.zh) - 4))
        queries.append((quote.text.zh[start : start + rng.choice((2, 3, 4))], None, "zh word"))
    for quote in quotes[50:100]:
        words = [w.strip(".,;:!?") for w in quote.text.en.split() if len(w) > 3]
        queries.append((rng.choice(words) if words else "model", None, "en word"))
    for quote in quotes[100:]:
        start = rng.randrange(max(1, len(quote.text.zh) - 2))
        queries.append((quote.text.zh[start : start + 2], quote.speaker, "zh word + speaker"))
    terms = rng.sample(list(catalog.terms.values()), 50)
    queries += [(term.term.en, None, "term name") for term in terms]
    return queries


def messages(catalog: Any, rng: random.Random, count: int = 40, size: int = 2_000) -> list[str]:
    """Chat messages of `size` characters: real sentences in both languages with terms in them
    (about one term surface per 120 characters)."""
    quotes = list(catalog.quotes.values())
    terms = list(catalog.terms.values())
    out: list[str] = []
    for _ in range(count):
        parts: list[str] = []
        length = 0
        while length < size:
            quote = rng.choice(quotes)
            piece = quote.text.zh if rng.random() < 0.5 else quote.text.en
            term = rng.choice(terms)
            surface = rng.choice((term.term.zh, term.term.en, *term.aliases))
            piece = f"{piece} {surface} "
            parts.append(piece)
            length += len(piece)
        out.append("".join(parts)[:size])
    return out


def worker(content: Path) -> dict[str, Any]:
    """Load `content` in this (fresh) process and run every workload; returns the figures."""
    from bot.catalog import Catalog, load_catalog
    from bot.catalog._normalize import key, pinyin_keys
    from bot.ui.glossary import explain_embed, term_embed
    from bot.ui.quotes import quote_embed

    # Warm the lazily loaded dictionaries (OpenCC, pypinyin) so the memory delta is the pack.
    key("測試 Test")
    pinyin_keys("测试")
    gc.collect()
    before = rss_mb()
    start = time.perf_counter_ns()
    catalog = load_catalog(content)
    load_ms = _ms(start, time.perf_counter_ns())
    gc.collect()
    after = rss_mb()
    peak = peak_rss_mb()
    start = time.perf_counter_ns()
    Catalog(catalog.packs)  # the index alone, from already validated models
    index_ms = _ms(start, time.perf_counter_ns())
    gc.collect()

    rng = random.Random(SEED)
    result: dict[str, Any] = {
        "quotes": len(catalog.quotes),
        "terms": len(catalog.terms),
        "speakers": len(catalog.speakers),
        "load_ms": load_ms,
        "index_ms": index_ms,
        "rss_before_mb": before,
        "rss_after_mb": after,
        "rss_delta_mb": after - before,
        "rss_peak_mb": peak,
    }

    # Each keystroke is timed in three passes; a keystroke's figure is its median, so a
    # scheduler preemption (the machine is shared) does not pass for the index's cost. The
    # first pass alone is kept too ("single pass").
    strokes = keystrokes(catalog, rng)
    for kind, query, _what in strokes[: len(strokes) // 10]:  # warm-up
        catalog.suggest(kind, query)
    passes: list[list[float]] = []
    for _pass in range(PASSES):
        timings: list[float] = []
        for kind, query, _what in strokes:
            start = time.perf_counter_ns()
            catalog.suggest(kind, query)
            timings.append(_ms(start, time.perf_counter_ns()))
        passes.append(timings)
    medians = [statistics.median(column) for column in zip(*passes, strict=True)]
    by_kind: dict[str, list[float]] = {}
    for (kind, _query, what), elapsed in zip(strokes, medians, strict=True):
        by_kind.setdefault(kind, []).append(elapsed)
        by_kind.setdefault(f"{kind}/{what}", []).append(elapsed)
    slowest = sorted(zip(medians, strokes, strict=True), reverse=True)[:8]
    result["autocomplete"] = summary(medians)
    result["autocomplete_single_pass"] = summary(passes[0])
    result["autocomplete_by"] = {name: summary(s) for name, s in sorted(by_kind.items())}
    result["autocomplete_slowest"] = [
        {"ms": ms, "kind": kind, "what": what, "query": query}
        for ms, (kind, query, what) in slowest
    ]

    queries = search_queries(catalog, rng)
    for text, speaker, _what in queries[:20]:
        catalog.search_quotes(text, speaker=speaker)
    search_passes: list[list[float]] = []
    hits = 0
    for _pass in range(PASSES):
        timings = []
        for text, speaker, _what in queries:
            start = time.perf_counter_ns()
            found = catalog.search_quotes(text, speaker=speaker)
            timings.append(_ms(start, time.perf_counter_ns()))
            hits += len(found)
        search_passes.append(timings)
    search_medians = [statistics.median(column) for column in zip(*search_passes, strict=True)]
    search_by: dict[str, list[float]] = {}
    for (_text, _speaker, what), elapsed in zip(queries, search_medians, strict=True):
        search_by.setdefault(what, []).append(elapsed)
    result["search"] = summary(search_medians)
    result["search_single_pass"] = summary(search_passes[0])
    result["search_by"] = {name: summary(s) for name, s in search_by.items()}
    result["search_mean_hits"] = hits / len(queries) / PASSES

    texts = messages(catalog, rng)
    warmup_texts = messages(catalog, rng, count=5)
    for text in warmup_texts:
        explain_embed(catalog, catalog.scan_terms(text), "en")
    scan_passes: list[list[float]] = []
    found_terms = 0
    for _pass in range(PASSES):
        timings = []
        for text in texts:
            start = time.perf_counter_ns()
            matches = catalog.scan_terms(text)
            timings.append(_ms(start, time.perf_counter_ns()))
            found_terms += len(matches)
        scan_passes.append(timings)
    scan_medians = [statistics.median(column) for column in zip(*scan_passes, strict=True)]
    result["scan"] = summary(scan_medians)
    result["scan_single_pass"] = summary(scan_passes[0])
    result["scan_mean_terms"] = found_terms / len(texts) / PASSES
    result["scan_message_chars"] = statistics.mean(len(text) for text in texts)
    explain_samples: list[float] = []
    for text in texts:
        matches = catalog.scan_terms(text)
        _timed(explain_samples, lambda m=matches: explain_embed(catalog, m, "en"))  # type: ignore[misc]
    result["explain_render"] = summary(explain_samples)

    # /glossary renders a term with an example quote: the first time per term it searches
    # every quote for it (cached afterwards). Cold terms, as a new conversation meets them.
    glossary_samples: list[float] = []
    sampled = rng.sample(list(catalog.terms.values()), 65)
    for term in sampled[:5]:  # warm-up: the first render of all pays one-off costs
        term_embed(catalog, term, "zh")
    for term in sampled[5:]:
        _timed(glossary_samples, lambda t=term: term_embed(catalog, t, "zh"))  # type: ignore[misc]
    result["glossary_render_cold"] = summary(glossary_samples)

    # What `/quote` does before it answers: every quote matching the (empty) filters, one
    # picked at random, rendered (first sight of that quote, so not memoised yet).
    pick_samples: list[float] = []
    picker = random.Random(SEED)

    def quote_command() -> object:
        chosen = picker.choice(catalog.search_quotes(None))
        return quote_embed(catalog, chosen, "en")

    for _ in range(60):
        _timed(pick_samples, quote_command)
    result["quote_command"] = summary(pick_samples)

    miss_samples: list[float] = []
    for term in rng.sample(list(catalog.terms.values()), 100):
        typo = _typo(rng, term.term.en.lower()) + "x"
        _timed(miss_samples, lambda q=typo: catalog.did_you_mean("term", q))  # type: ignore[misc]
    result["did_you_mean"] = summary(miss_samples)
    result["rss_end_mb"] = rss_mb()
    return result


def run(workdir: Path, sizes: tuple[int, ...] = SIZES) -> list[dict[str, Any]]:
    """Generate each pack (cached in `workdir`) and measure it in a fresh process."""
    from bench.gen import generate

    results: list[dict[str, Any]] = []
    for size in sizes:
        content = generate(size, workdir / f"content-{size}")
        print(f"  growth: {size:,} quotes ...", file=sys.stderr, flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", "bench.growth", "--worker", str(content)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"growth worker failed for {size}:\n{proc.stderr}")
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="growth benchmark")
    parser.add_argument("--worker", type=Path, help="measure this content folder in-process")
    args = parser.parse_args()
    if args.worker is not None:
        print(json.dumps(worker(args.worker)))
        return
    print(json.dumps(run(Path("/tmp/summitbot-bench")), indent=1))


if __name__ == "__main__":
    main()
