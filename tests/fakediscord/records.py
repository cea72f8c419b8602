"""What the fake records about requests: violations, planned faults, counters."""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass(frozen=True)
class Violation:
    """A request Discord would refuse: the bot has a bug (or the test provoked one)."""

    method: str
    path: str
    reason: str
    body: object = None
    status: int = 400
    code: int = 50035

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}/{self.code}: {self.reason}"


@dataclass
class Injection:
    """A planned fault: the next ``remaining`` requests matching get ``status``."""

    method: str
    pattern: str
    status: int
    remaining: int
    body: JSON | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hits: int = 0
    _regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # "{name}" placeholders match one path segment; the rest is an fnmatch glob.
        glob = re.sub(r"\{[^}]+\}", "*", self.pattern)
        self._regex = re.compile(fnmatch.translate(glob).replace(".*", "[^/]*"))

    def matches(self, method: str, path: str) -> bool:
        return self.remaining > 0 and self.method in (method, "*") and bool(self._regex.match(path))


@dataclass
class Stats:
    requests: int = 0
    by_route: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    #: 429s by scope: "global", "user" (per-route bucket), "injected".
    rate_limited: Counter[str] = field(default_factory=Counter)
    injected: int = 0


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    template: str | None
    status: int
    body: object
    content_type: str | None
