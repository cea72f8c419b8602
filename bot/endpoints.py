"""Point an unmodified discord.py client at another REST base and gateway.

discord.py builds every REST URL from ``discord.http.Route.BASE`` when a route is created
(bot requests and interaction webhooks alike), and opens the gateway at
``DiscordWebSocket.DEFAULT_GATEWAY`` unless ``/gateway/bot`` (sharded clients) or READY's
``resume_gateway_url`` says otherwise. Both are class attributes, so overriding them before
the client logs in is enough: a REST rate-limit proxy or a local Discord emulator then
serves the whole session.
"""

from __future__ import annotations

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

__all__ = ["DEFAULT_API_BASE", "DEFAULT_GATEWAY_URL", "apply_overrides"]

DEFAULT_API_BASE: str = Route.BASE
DEFAULT_GATEWAY_URL: str = str(DiscordWebSocket.DEFAULT_GATEWAY)


def apply_overrides(api_base: str | None, gateway_url: str | None) -> None:
    """Make discord.py use ``api_base`` for REST and ``gateway_url`` for the gateway.

    ``api_base`` includes the version path, e.g. ``http://127.0.0.1:8080/api/v10``.
    ``None`` restores discord.py's own default for that endpoint, so the call fully
    determines where the next client connects, whatever an earlier call set.
    """
    base = DEFAULT_API_BASE if api_base is None else api_base.rstrip("/")
    gateway = DEFAULT_GATEWAY_URL if gateway_url is None else gateway_url
    url = yarl.URL(gateway)
    if url.scheme not in ("ws", "wss") or not url.host:
        raise ValueError(f"gateway URL must be ws:// or wss:// with a host, got {gateway!r}")
    api = yarl.URL(base)
    if api.scheme not in ("http", "https") or not api.host:
        raise ValueError(f"API base must be http:// or https:// with a host, got {base!r}")
    Route.BASE = base
    DiscordWebSocket.DEFAULT_GATEWAY = url
