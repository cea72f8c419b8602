"""What the bot answered to an interaction the fake sent.

:class:`InteractionResult` is what ``fake.slash()`` / ``click()`` / ``message_command()``
return: the initial response (type, data, ephemeral, elapsed time), the message it made,
later edits of that message and followups, each awaitable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .kinds import CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE
from .signal import Signal
from .state import EPHEMERAL, Channel, Command, Guild, Message, User

JSON = dict[str, Any]


class InteractionTimeout(TimeoutError):
    """The bot did not do what a helper waited for in time."""


@dataclass(eq=False)
class InteractionResult:
    """One interaction the fake sent and everything the bot did with it."""

    id: int
    token: str
    type: int
    payload: JSON
    guild: Guild | None
    channel: Channel
    user: User
    created_at: float  # fake clock (deadline and token expiry)
    command: Command | None = None
    #: The message a clicked component is on (component interactions).
    source_message: Message | None = None
    #: Every message it makes is ephemeral (a server that keeps user-installed apps' answers
    #: private: reach.py).
    forced_ephemeral: bool = False
    sent_perf: float = field(default_factory=time.perf_counter)
    response_type: int | None = None
    #: The callback body (``{"type": ..., "data": ...}``) of the accepted initial response.
    response: JSON | None = None
    responded_perf: float | None = None
    #: Discord error codes the bot's calls on this interaction got (10062, 40060, ...).
    errors: list[int] = field(default_factory=list)
    #: The message the initial response created (types 4/5), or the one it updated (6/7).
    message: Message | None = None
    followups: list[Message] = field(default_factory=list)
    #: Bodies of PATCHes to the original response, in order.
    edits: list[JSON] = field(default_factory=list)
    _signal: Signal = field(default_factory=Signal, repr=False)

    # --- state changes (called by the fake) ---------------------------------------------

    def notify(self) -> None:
        self._signal.notify()

    async def _wait(
        self,
        predicate: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109 - a plain deadline in seconds
        what: str,
    ) -> None:
        if not await self._signal.wait_until(predicate, timeout):
            raise InteractionTimeout(f"interaction {self.id}: {what} ({self.describe()})")

    def describe(self) -> str:
        return (
            f"response_type={self.response_type}, errors={self.errors}, "
            f"edits={len(self.edits)}, followups={len(self.followups)}"
        )

    # --- what tests read ------------------------------------------------------------------

    @property
    def responded(self) -> bool:
        """The bot's initial response was accepted."""
        return self.response_type is not None

    @property
    def data(self) -> JSON:
        """``data`` of the initial response (empty for deferrals without data)."""
        if self.response is None:
            return {}
        data = self.response.get("data")
        return data if isinstance(data, dict) else {}

    @property
    def deferred(self) -> bool:
        return self.response_type in (DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE)

    @property
    def flags(self) -> int:
        if self.message is not None and self.response_type in (
            CHANNEL_MESSAGE,
            DEFERRED_CHANNEL_MESSAGE,
        ):
            return self.message.flags
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def content(self) -> str:
        """Current content of the response message (after edits), else of the response data."""
        if self.message is not None:
            return self.message.content
        return str(self.data.get("content") or "")

    @property
    def embeds(self) -> list[JSON]:
        if self.message is not None:
            return self.message.embeds
        return list(self.data.get("embeds") or [])

    @property
    def components(self) -> list[JSON]:
        if self.message is not None:
            return self.message.components
        return list(self.data.get("components") or [])

    @property
    def choices(self) -> list[JSON]:
        """Autocomplete choices (type 8 responses)."""
        return list(self.data.get("choices") or [])

    @property
    def elapsed_ms(self) -> float | None:
        """Real milliseconds from sending INTERACTION_CREATE to the accepted initial response."""
        if self.responded_perf is None:
            return None
        return (self.responded_perf - self.sent_perf) * 1000.0

    def custom_ids(self) -> list[str]:
        """Every component custom_id on the response message, in order."""
        out: list[str] = []
        for row in self.components:
            for comp in row.get("components") or []:
                if comp.get("custom_id"):
                    out.append(str(comp["custom_id"]))
        return out

    async def wait_response(self, timeout: float = 5.0) -> InteractionResult:  # noqa: ASYNC109
        await self._wait(
            lambda: self.responded or bool(self.errors), timeout, "no initial response"
        )
        return self

    async def wait_followups(
        self,
        n: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Message]:
        """Wait until the bot has sent ``n`` followup messages; return them all."""
        await self._wait(lambda: len(self.followups) >= n, timeout, f"fewer than {n} followups")
        return list(self.followups)

    async def wait_edits(
        self,
        n: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Message:
        """Wait until the original response was edited ``n`` times; return the message."""
        await self._wait(
            lambda: len(self.edits) >= n and self.message is not None,
            timeout,
            f"fewer than {n} edits of the original response",
        )
        assert self.message is not None
        return self.message


# --- building interaction data --------------------------------------------------------------
