"""Small helpers every benchmark shares: percentiles, resident memory, the machine's identity."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import platform
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: Libraries whose versions the report records (they set most of the figures).
LIBRARIES = (
    "discord.py",
    "aiohttp",
    "PyYAML",
    "pydantic",
    "rapidfuzz",
    "pypinyin",
    "opencc",
    "pyahocorasick",
    "APScheduler",
    "aiosqlite",
)


async def spawn(
    args: list[str], token: str, *, stderr: int = asyncio.subprocess.DEVNULL
) -> asyncio.subprocess.Process:
    """Start `python <args>` from the repository with DISCORD_TOKEN set and no inherited config."""
    env = {**os.environ, "DISCORD_TOKEN": token}
    env.pop("SUMMITBOT_CONFIG", None)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=str(REPO),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=stderr,
    )


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between closest ranks."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(samples: Sequence[float]) -> dict[str, float]:
    """p50, p99, max and count of a list of timings (whatever unit they are in)."""
    return {
        "n": float(len(samples)),
        "p50": percentile(samples, 50),
        "p99": percentile(samples, 99),
        "max": max(samples) if samples else float("nan"),
        "mean": sum(samples) / len(samples) if samples else float("nan"),
    }


def _status_kb(field: str, pid: int | str = "self") -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size now, in MiB (Linux /proc)."""
    return _status_kb("VmRSS", pid) / 1024.0


def peak_rss_mb(pid: int | str = "self") -> float:
    """Highest resident set size so far, in MiB."""
    return _status_kb("VmHWM", pid) / 1024.0


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, object]:
    """Where and with what the figures were taken."""
    versions: dict[str, str] = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    memory_kb = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            memory_kb = int(info.readline().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "os": f"{platform.system()} {platform.release()}",
        "cpu": cpu_model(),
        "cores": os.cpu_count() or 0,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": f"{platform.python_implementation()} {sys.version.split()[0]}",
        "libraries": versions,
    }
