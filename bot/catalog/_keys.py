"""Short keys: a fixed-length stand-in for an id where the id itself may not fit.

A Discord `custom_id` holds at most 100 characters, and ids may have 64 each; a button that
carries a quote, a speaker and a topic carries their keys instead. A key depends only on the
id (8 URL-safe base64 characters of a BLAKE2b hash), so it stays valid across content reloads
for as long as the id exists, whatever else changes. Two ids of one kind sharing a key would
make it ambiguous: such a key resolves to nothing (at 100,000 ids the chance is about 2e-5).
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Iterable, Mapping

#: Characters of a key.
KEY_LENGTH = 8
#: A pattern fragment matching one key.
KEY_PATTERN = r"[A-Za-z0-9_-]{8}"


@functools.lru_cache(maxsize=16_384)  # every message with buttons asks for a few keys
def short_key(item_id: str) -> str:
    """The key of `item_id`: 48 bits of its hash, 8 URL-safe characters."""
    digest = hashlib.blake2b(item_id.encode(), digest_size=6).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


class KeyTable:
    """Keys back to ids for one kind of item; a key two ids share resolves to None."""

    def __init__(self, ids: Iterable[str], aliases: Mapping[str, str] | None = None) -> None:
        """`aliases`: other ids (an old bare id) standing for an id; a key of an id wins."""
        table: dict[str, str | None] = {}
        for item_id in ids:
            key = short_key(item_id)
            table[key] = None if key in table else item_id
        for alias, item_id in (aliases or {}).items():
            table.setdefault(short_key(alias), item_id)
        self._ids = table

    def resolve(self, key: str) -> str | None:
        return self._ids.get(key)
