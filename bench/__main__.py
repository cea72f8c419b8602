"""Run every benchmark and rewrite the tables in docs/performance.md.

    .venv/bin/python -m bench                    # everything (about 45 minutes on 2 cores)
    .venv/bin/python -m bench --only growth --sizes 1000 10000 --no-write   # a quick look
    .venv/bin/python -m bench --only capacity --guilds 10000   # capacity up to 10,000 guilds

Raw figures go to bench/results.json; the tables in docs/performance.md are rewritten from
them only when every part ran (or with --write), so the document always shows one run.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from bench import report
from bench._util import REPO, load_average, machine

PARTS = ("interactions", "growth", "startup", "digest", "reach", "reload", "whosaid", "capacity")
RESULTS = REPO / "bench" / "results.json"
WORKDIR = Path("/tmp/summitbot-bench")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=PARTS, help="run only these parts")
    parser.add_argument(
        "--iterations", type=int, default=1_000, help="interaction round trips per bot and kind"
    )
    parser.add_argument("--sizes", nargs="+", type=int, default=[1_000, 10_000, 100_000])
    parser.add_argument(
        "--guilds",
        type=int,
        default=None,
        help="digest fan-out guilds (default 1,000); capacity: the largest size (default 100,000)",
    )
    parser.add_argument(
        "--users", type=int, default=1_000, help="personal digests beside the guilds (reach)"
    )
    parser.add_argument("--workdir", type=Path, default=WORKDIR, help="generated packs (cached)")
    parser.add_argument("--write", action="store_true", help="rewrite the doc even if partial")
    parser.add_argument("--no-write", action="store_true", help="never touch the doc")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="measure nothing: rewrite the doc's tables from bench/results.json",
    )
    args = parser.parse_args(argv)
    if args.report_only:
        write_doc(json.loads(RESULTS.read_text(encoding="utf-8")))
        return 0
    parts = tuple(args.only or PARTS)

    info = machine()
    info["command"] = "python -m bench" + (
        " " + shlex.join(sys.argv[1:]) if len(sys.argv) > 1 else ""
    )
    loads: dict[str, Any] = {"start": load_average()[0], "parts": {}}
    info["load"] = loads
    results: dict[str, Any] = {"machine": info}
    started = time.perf_counter()

    def begin(part: str) -> None:
        loads["parts"][part] = load_average()[0]
        print(f"== {part} (load {loads['parts'][part]:.2f})", file=sys.stderr, flush=True)

    if "interactions" in parts:
        from bench import interactions

        begin("interactions")
        results["interactions"] = interactions.run(args.iterations)
    if "growth" in parts:
        from bench import growth

        begin("growth")
        results["growth"] = growth.run(args.workdir, tuple(args.sizes))
    if "startup" in parts:
        from bench import startup
        from bench.gen import generate

        begin("startup")
        extra = [
            (generate(size, args.workdir / f"content-{size}"), f"generated, {size:,} quotes")
            for size in args.sizes
            if size >= 10_000
        ]
        results["startup"] = startup.run(extra)
    if "digest" in parts:
        from bench import digest

        begin("digest")
        results["digest"] = digest.run(args.guilds or 1_000)
    if "reach" in parts:
        from bench import reach

        begin("reach")
        results["reach"] = reach.run(args.guilds or 1_000, args.users)
    if "reload" in parts:
        from bench import reload

        begin("reload")
        results["reload"] = reload.run(args.workdir)
        results["reload"]["run"] = {
            "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load": loads["parts"]["reload"],
        }
    if "whosaid" in parts:
        from bench import whosaid

        begin("whosaid")
        results["whosaid"] = whosaid.run()

    if "capacity" in parts:
        from bench import capacity

        begin("capacity")
        results["capacity"] = capacity.run(args.guilds or capacity.SIZES[-1])
    loads["end"] = load_average()[0]
    info["duration_s"] = round(time.perf_counter() - started, 1)

    partial = len(parts) < len(PARTS)
    if partial and RESULTS.is_file():
        # A part run alone replaces its own figures; the others stay from the last run (the
        # machine block keeps describing that run; a part run alone records its own date).
        previous = json.loads(RESULTS.read_text(encoding="utf-8"))
        results = {**previous, **{part: results[part] for part in parts}}
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"raw figures: {RESULTS.relative_to(REPO)}", file=sys.stderr)
    if args.no_write or (partial and not args.write):
        return 0
    write_doc(results, machine=not partial)
    return 0


def write_doc(results: dict[str, Any], *, machine: bool = True) -> None:
    """Rewrite every table of docs/performance.md that these results have figures for."""
    blocks = {"goals": report.goals_block(results)}
    if machine:
        blocks["machine"] = report.machine_block(results["machine"])
    if "interactions" in results:
        blocks["interactions"] = report.interactions_block(results["interactions"])
    if "growth" in results:
        blocks["growth"] = report.growth_block(results["growth"])
    if "startup" in results:
        blocks["startup"] = report.startup_block(results["startup"])
    if "digest" in results:
        blocks["digest"] = report.digest_block(results["digest"])
    if "reach" in results:
        blocks["reach"] = report.reach_block(results["reach"])
    if "reload" in results:
        blocks["reload"] = report.reload_block(results["reload"])
    if "capacity" in results:
        from bench import capacity_report

        blocks.update(capacity_report.blocks(results["capacity"]))
        capacity_report.plots(results["capacity"])
    if "whosaid" in results:
        blocks["whosaid"] = report.whosaid_block(results["whosaid"])
    report.write(blocks)
    print(f"tables rewritten: {report.DOC.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
