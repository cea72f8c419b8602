"""Interactions the fake sends, and what the bot answered.

:class:`InteractionResult` is what ``fake.slash()`` / ``click()`` / ``message_command()``
return: the initial response (type, data, ephemeral, elapsed time), the message it made,
later edits of that message and followups, each awaitable.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .limits import INTEGER, NUMBER, STRING, SUB_COMMAND, SUB_COMMAND_GROUP
from .signal import Signal
from .state import EPHEMERAL, Channel, Command, Guild, Member, Message, Role, User

JSON = dict[str, Any]

# Interaction types.
PING = 1
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

# Callback types.
PONG = 1
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9

#: Callback types each interaction type accepts.
ALLOWED_CALLBACKS: dict[int, frozenset[int]] = {
    APPLICATION_COMMAND: frozenset({CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL}),
    MESSAGE_COMPONENT: frozenset(
        {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE, MODAL}
    ),
    AUTOCOMPLETE: frozenset({AUTOCOMPLETE_RESULT}),
    MODAL_SUBMIT: frozenset(
        {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE}
    ),
}

BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
MENTIONABLE = 9
ATTACHMENT = 11


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


def split_command_name(name: str) -> list[str]:
    """``"digest set"`` -> ``["digest", "set"]``."""
    parts = name.split()
    if not parts:
        raise ValueError("empty command name")
    return parts


def build_options(
    command: Command,
    path: list[str],
    values: Mapping[str, object],
    *,
    focused: str | None,
    resolve: Callable[[int, object], tuple[str, JSON]],
) -> tuple[list[JSON], JSON]:
    """The ``data.options`` tree (and ``resolved``) for a call of ``command``.

    ``path`` is the command name followed by a subcommand group and/or subcommand. Values
    are checked the way Discord's client checks them: unknown option names, missing
    required options, and a value outside an option's fixed choices are test mistakes
    and raise ``ValueError``.
    """
    defs: list[JSON] = command.payload.get("options") or []
    wrappers: list[JSON] = []
    for name in path[1:]:
        opt = next((o for o in defs if o["name"] == name), None)
        if opt is None or opt.get("type") not in (SUB_COMMAND, SUB_COMMAND_GROUP):
            raise ValueError(f"/{command.name} has no subcommand {name!r}")
        wrappers.append({"type": opt["type"], "name": name, "options": []})
        defs = opt.get("options") or []
    if any(o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in defs):
        raise ValueError(f"/{' '.join(path)} needs a subcommand")
    resolved: JSON = {}
    leaves: list[JSON] = []
    for key, raw in values.items():
        opt = next((o for o in defs if o["name"] == key), None)
        if opt is None:
            raise ValueError(f"/{' '.join(path)} has no option {key!r}")
        otype = int(opt["type"])
        entry: JSON = {"type": otype, "name": key}
        if key == focused:
            entry["value"] = str(raw)
            entry["focused"] = True
        elif otype in (USER, CHANNEL, ROLE, MENTIONABLE, ATTACHMENT):
            kind, obj = resolve(otype, raw)
            entry["value"] = obj["id"]
            for bucket, payload in _resolved_entries(kind, obj).items():
                resolved.setdefault(bucket, {}).update(payload)
        else:
            entry["value"] = _coerce(otype, raw, key)
            choices = opt.get("choices")
            if choices and entry["value"] not in [c["value"] for c in choices]:
                raise ValueError(f"{entry['value']!r} is not one of {key!r}'s choices")
        leaves.append(entry)
    if focused is not None and focused not in values:
        raise ValueError(f"focused option {focused!r} has no value")
    # While autocompleting, the user may not have filled the required options yet.
    missing = [o["name"] for o in defs if o.get("required") and o["name"] not in values]
    if missing and focused is None:
        raise ValueError(f"/{' '.join(path)} is missing required options {missing}")
    tree = leaves
    for wrapper in reversed(wrappers):
        wrapper["options"] = tree
        tree = [wrapper]
    return tree, resolved


def _resolved_entries(kind: str, obj: JSON) -> dict[str, JSON]:
    oid = obj["id"]
    if kind == "member":
        member = dict(obj["member"])
        return {"users": {oid: obj["user"]}, "members": {oid: member}}
    return {kind: {oid: obj["data"]}}


def _coerce(otype: int, raw: object, key: str) -> object:
    if otype == STRING:
        return str(raw)
    if otype == INTEGER:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise ValueError(f"option {key!r} needs an integer")
        return int(raw)
    if otype == NUMBER:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ValueError(f"option {key!r} needs a number")
        return float(raw)
    if otype == BOOLEAN:
        if not isinstance(raw, bool):
            raise ValueError(f"option {key!r} needs a bool")
        return raw
    raise ValueError(f"option {key!r} has unsupported type {otype}")


def resolved_channel(channel: Channel, permissions: int) -> JSON:
    data = channel.to_json()
    data["permissions"] = str(permissions)
    return data


def resolved_member(member: Member, permissions: int) -> JSON:
    data = member.to_json(with_user=False)
    data["permissions"] = str(permissions)
    return data


def resolved_role(role: Role) -> JSON:
    return role.to_json()
