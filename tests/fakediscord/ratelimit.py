"""Discord-style rate limits: one global window per bot and per-route buckets.

Windows are fixed: a bucket opens on its first request and resets ``per`` seconds later.
Responses carry the real ``X-RateLimit-*`` headers; a refusal is a 429 with ``retry_after``,
``global`` and the ``Via: 1.1 google`` header discord.py uses to tell Discord's 429s from a
Cloudflare ban.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass(frozen=True)
class BucketRule:
    """``limit`` requests per ``per`` seconds on ``method template``, keyed by ``major``."""

    method: str
    template: str
    limit: int
    per: float
    major: tuple[str, ...] = ()

    @property
    def bucket_hash(self) -> str:
        return hashlib.sha1(f"{self.method} {self.template}".encode()).hexdigest()[:32]


#: Defaults close to what Discord answers in practice; FakeDiscord(route_limits=...) replaces them.
DEFAULT_RULES: tuple[BucketRule, ...] = (
    BucketRule("POST", "/channels/{channel_id}/messages", 5, 5.0, ("channel_id",)),
    BucketRule("PATCH", "/channels/{channel_id}/messages/{message_id}", 5, 5.0, ("channel_id",)),
    BucketRule("DELETE", "/channels/{channel_id}/messages/{message_id}", 5, 5.0, ("channel_id",)),
    BucketRule("PUT", "/applications/{application_id}/commands", 10, 10.0, ("application_id",)),
    BucketRule(
        "PUT",
        "/applications/{application_id}/guilds/{guild_id}/commands",
        10,
        10.0,
        ("application_id", "guild_id"),
    ),
    BucketRule(
        "POST", "/webhooks/{webhook_id}/{webhook_token}", 5, 2.0, ("webhook_id", "webhook_token")
    ),
)

#: Any route without a rule: generous, but it still sends headers like Discord.
FALLBACK_LIMIT = 1000
FALLBACK_PER = 1.0


@dataclass
class _Window:
    limit: int
    per: float
    opened: float = 0.0
    count: int = 0

    def roll(self, now: float) -> None:
        if now >= self.opened + self.per:
            self.opened = now
            self.count = 0

    def reset_after(self, now: float) -> float:
        return max(0.0, self.opened + self.per - now)


@dataclass
class Decision:
    allowed: bool
    headers: dict[str, str]
    retry_after: float = 0.0
    scope: str | None = None  # "global" or "user" when refused

    def body(self) -> JSON:
        return {
            "message": "You are being rate limited.",
            "retry_after": round(self.retry_after, 3),
            "global": self.scope == "global",
            "code": 0,
        }


@dataclass
class RateLimiter:
    global_rate: int = 50
    rules: tuple[BucketRule, ...] = DEFAULT_RULES
    clock: Callable[[], float] = time.monotonic
    _global: _Window = field(init=False)
    _buckets: dict[tuple[str, tuple[str, ...]], _Window] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._global = _Window(self.global_rate, 1.0)

    def set_rule(self, rule: BucketRule) -> None:
        self.rules = (
            *(r for r in self.rules if (r.method, r.template) != (rule.method, rule.template)),
            rule,
        )
        self._buckets = {k: v for k, v in self._buckets.items() if k[0] != rule.bucket_hash}

    def set_global_rate(self, rate: int) -> None:
        self.global_rate = rate
        self._global = _Window(rate, 1.0)

    def _rule(self, method: str, template: str) -> BucketRule:
        for rule in self.rules:
            if rule.method == method and rule.template == template:
                return rule
        return BucketRule(method, template, FALLBACK_LIMIT, FALLBACK_PER)

    def check(
        self, method: str, template: str, params: dict[str, str], *, global_exempt: bool
    ) -> Decision:
        """Count one request; say whether it may proceed and which headers to send."""
        now = self.clock()
        if not global_exempt:
            self._global.roll(now)
            if self._global.count >= self._global.limit:
                retry = self._global.reset_after(now)
                return Decision(
                    False,
                    {
                        "X-RateLimit-Global": "true",
                        "X-RateLimit-Scope": "global",
                        "Retry-After": str(max(1, math.ceil(retry))),
                        "Via": "1.1 google",
                    },
                    retry,
                    "global",
                )
        rule = self._rule(method, template)
        key = (rule.bucket_hash, tuple(params.get(name, "") for name in rule.major))
        window = self._buckets.get(key)
        if window is None:
            window = self._buckets[key] = _Window(rule.limit, rule.per, opened=now)
        window.roll(now)
        reset_after = window.reset_after(now)
        headers = {
            "X-RateLimit-Limit": str(rule.limit),
            "X-RateLimit-Bucket": rule.bucket_hash,
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        }
        if window.count >= window.limit:
            headers.update(
                {
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Scope": "user",
                    "Retry-After": str(max(1, math.ceil(reset_after))),
                    "Via": "1.1 google",
                }
            )
            return Decision(False, headers, reset_after, "user")
        window.count += 1
        if not global_exempt:
            self._global.count += 1
        headers["X-RateLimit-Remaining"] = str(window.limit - window.count)
        return Decision(True, headers)
