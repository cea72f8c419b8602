"""Route templates, the error answer and the parsed request every REST handler gets."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    pass


JSON = dict[str, Any]

CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"
WEBHOOK = "/webhooks/{webhook_id}/{webhook_token}"
WEBHOOK_ORIGINAL = "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
WEBHOOK_MESSAGE = "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"
CHANNEL_MESSAGES = "/channels/{channel_id}/messages"
CHANNEL_MESSAGE_ONE = "/channels/{channel_id}/messages/{message_id}"
GLOBAL_COMMANDS = "/applications/{application_id}/commands"
GUILD_COMMANDS = "/applications/{application_id}/guilds/{guild_id}/commands"
GLOBAL_COMMAND = "/applications/{application_id}/commands/{command_id}"
GUILD_COMMAND = "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}"

#: Routes authenticated by the interaction token in the path, not by the bot token.
TOKEN_ROUTES = frozenset({CALLBACK, WEBHOOK, WEBHOOK_ORIGINAL, WEBHOOK_MESSAGE})

#: Bodies that are messages (content + embeds + components), and whether they create one.
MESSAGE_BODIES: dict[tuple[str, str], bool] = {
    ("POST", CHANNEL_MESSAGES): True,
    ("PATCH", CHANNEL_MESSAGE_ONE): False,
    ("POST", WEBHOOK): True,
    ("PATCH", WEBHOOK_ORIGINAL): False,
    ("PATCH", WEBHOOK_MESSAGE): False,
}


class HttpError(Exception):
    """A Discord error answer: ``{"message": ..., "code": ...}`` with an HTTP status."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        violation: bool = False,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.violation = violation
        #: Why, for the violation record (not sent: Discord's bodies carry no such field).
        self.detail = detail

    def body(self) -> JSON:
        return {"message": self.message, "code": self.code}


def unknown_channel() -> HttpError:
    return HttpError(404, 10003, "Unknown Channel")


def unknown_message() -> HttpError:
    return HttpError(404, 10008, "Unknown Message")


def unknown_interaction() -> HttpError:
    return HttpError(404, 10062, "Unknown interaction", violation=True)


def json_response(
    data: object, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # Exactly "application/json": discord.py only decodes JSON when the header is that string.
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return web.Response(body=json.dumps(data).encode(), status=status, headers=h)


@dataclass
class Call:
    """One parsed request as handlers see it."""

    method: str
    path: str
    template: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any = None
    files: list[JSON] = field(default_factory=list)
    #: perf_counter when the request reached the fake (before validation).
    arrived: float = field(default_factory=time.perf_counter)
    #: The X-Audit-Log-Reason header, decoded (``engage.py``).
    reason: str | None = None

    def int_param(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise HttpError(400, 50035, f"Value {self.params[name]!r} is not snowflake.") from None


Handler = Callable[[Call], Awaitable[web.StreamResponse]]
