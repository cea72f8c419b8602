"""The REST API under ``/api/v10``: one pipeline every request goes through, then handlers.

Pipeline: injected faults → ``Authorization: Bot <token>`` → global and per-route rate
limits → body parsing (``Content-Type: application/json`` exactly, or multipart with
``payload_json`` where the spec allows it) → OpenAPI schema + Discord's extra limits →
handler. A refused body is a :class:`Violation` and a 400 with Discord's error body.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import limits
from . import permissions as perms
from .engage import EngageRoutes, allowed_mentions_errors, audit_reason
from .interactions import (
    ALLOWED_CALLBACKS,
    APPLICATION_COMMAND,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    MODAL,
    UPDATE_MESSAGE,
    InteractionResult,
)
from .limits import FieldError
from .state import DM, EPHEMERAL, LOADING, Channel, Guild, Message

if TYPE_CHECKING:
    from .server import FakeDiscord

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


class RestApi:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.routes: dict[tuple[str, str], Handler] = {
            ("GET", "/users/@me"): self.get_me,
            ("GET", "/users/{user_id}"): self.get_user,
            ("POST", "/users/@me/channels"): self.create_dm,
            ("GET", "/oauth2/applications/@me"): self.get_application,
            ("GET", "/applications/@me"): self.get_application,
            ("GET", "/gateway"): self.get_gateway,
            ("GET", "/gateway/bot"): self.get_gateway_bot,
            ("GET", GLOBAL_COMMANDS): self.list_commands,
            ("PUT", GLOBAL_COMMANDS): self.overwrite_commands,
            ("POST", GLOBAL_COMMANDS): self.upsert_command,
            ("GET", GUILD_COMMANDS): self.list_commands,
            ("PUT", GUILD_COMMANDS): self.overwrite_commands,
            ("POST", GUILD_COMMANDS): self.upsert_command,
            ("GET", GLOBAL_COMMAND): self.get_command,
            ("PATCH", GLOBAL_COMMAND): self.edit_command,
            ("DELETE", GLOBAL_COMMAND): self.delete_command,
            ("GET", GUILD_COMMAND): self.get_command,
            ("PATCH", GUILD_COMMAND): self.edit_command,
            ("DELETE", GUILD_COMMAND): self.delete_command,
            ("POST", CALLBACK): self.interaction_callback,
            ("POST", WEBHOOK): self.followup,
            ("GET", WEBHOOK_ORIGINAL): self.webhook_get_message,
            ("PATCH", WEBHOOK_ORIGINAL): self.webhook_edit_message,
            ("DELETE", WEBHOOK_ORIGINAL): self.webhook_delete_message,
            ("GET", WEBHOOK_MESSAGE): self.webhook_get_message,
            ("PATCH", WEBHOOK_MESSAGE): self.webhook_edit_message,
            ("DELETE", WEBHOOK_MESSAGE): self.webhook_delete_message,
            ("GET", "/channels/{channel_id}"): self.get_channel,
            ("GET", CHANNEL_MESSAGES): self.list_messages,
            ("POST", CHANNEL_MESSAGES): self.create_message,
            ("GET", CHANNEL_MESSAGE_ONE): self.get_message,
            ("PATCH", CHANNEL_MESSAGE_ONE): self.edit_message,
            ("DELETE", CHANNEL_MESSAGE_ONE): self.delete_message,
            ("POST", "/channels/{channel_id}/typing"): self.typing,
            ("GET", "/guilds/{guild_id}"): self.get_guild,
            ("GET", "/guilds/{guild_id}/channels"): self.get_guild_channels,
            ("GET", "/guilds/{guild_id}/roles"): self.get_guild_roles,
            ("GET", "/guilds/{guild_id}/members"): self.list_members,
            ("GET", "/guilds/{guild_id}/members/{user_id}"): self.get_member,
        }
        # Threads on messages and member roles (engage.py).
        self.routes.update(EngageRoutes(self).routes())

    # --- the pipeline ----------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        from .server import RequestRecord, Violation

        fake = self.fake
        arrived = time.perf_counter()
        method = request.method.upper()
        path = "/" + request.match_info["tail"]
        fake.stats.requests += 1
        ctype = request.headers.get("Content-Type")
        match = fake.spec.match(path)
        template = match.template if match else None
        params = match.params if match else {}
        fake.stats.by_route[f"{method} {template or path}"] += 1
        record_body: object = None

        def finish(resp: web.StreamResponse) -> web.StreamResponse:
            fake.stats.by_status[resp.status] += 1
            fake.requests.append(
                RequestRecord(method, path, template, resp.status, record_body, ctype)
            )
            return resp

        def violation(reason: str, status: int = 400, code: int = 50035) -> None:
            fake.record_violation(Violation(method, path, reason, record_body, status, code))
            # Wake whoever waits on the interaction this request was about.
            result = None
            if template == CALLBACK and params["interaction_id"].isdigit():
                result = fake.interactions.get(int(params["interaction_id"]))
            elif template in TOKEN_ROUTES:
                result = fake.interaction_by_token(params["webhook_token"])
            if result is not None:
                result.errors.append(code)
                result.notify()

        if request.match_info["version"] != "10":
            violation(f"API version v{request.match_info['version']} (the fake serves v10)")
            return finish(json_response({"message": "Invalid API version", "code": 50041}, 400))

        injected = fake.take_injection(method, path)
        if injected is not None:
            fake.stats.injected += 1
            return finish(self._injected_response(injected))

        handler = self.routes.get((method, template)) if template else None
        if handler is None or template is None:
            record = RequestRecord(method, path, template, 404, None, ctype)
            fake.unhandled.append(record)
            return finish(json_response({"message": "404: Not Found", "code": 0}, 404))

        is_token_route = template in TOKEN_ROUTES
        if not is_token_route and request.headers.get("Authorization") != f"Bot {fake.token}":
            violation("missing or wrong 'Authorization: Bot <token>'", 401, 0)
            return finish(json_response({"message": "401: Unauthorized", "code": 0}, 401))

        decision = fake.ratelimiter.check(method, template, params, global_exempt=is_token_route)
        if not decision.allowed:
            fake.stats.rate_limited[decision.scope or "user"] += 1
            return finish(json_response(decision.body(), 429, decision.headers))

        # Body parsing: JSON exactly, or multipart where Discord takes files.
        call = Call(
            method,
            path,
            template,
            params,
            dict(request.query),
            arrived=arrived,
            reason=audit_reason(request.headers.get("X-Audit-Log-Reason")),
        )
        try:
            await self._parse_body(request, call, ctype)
        except HttpError as exc:
            record_body = call.body
            violation(exc.message, exc.status, exc.code)
            return finish(json_response(exc.body(), exc.status, decision.headers))
        record_body = call.body

        errors = self._validate(call)
        if errors:
            reason = "; ".join(str(e) for e in errors)
            if any(e.code == "EMPTY_MESSAGE" for e in errors):
                violation(reason, 400, 50006)
                body = {"message": "Cannot send an empty message", "code": 50006}
                return finish(json_response(body, 400, decision.headers))
            violation(reason)
            return finish(json_response(limits.error_body(errors), 400, decision.headers))

        try:
            resp = await handler(call)
        except HttpError as exc:
            if exc.violation:
                reason = f"{exc.message}: {exc.detail}" if exc.detail else exc.message
                violation(reason, exc.status, exc.code)
            resp = json_response(exc.body(), exc.status)
        for k, v in decision.headers.items():
            resp.headers[k] = v
        return finish(resp)

    def _injected_response(self, inj: Any) -> web.Response:
        headers = dict(inj.headers)
        if inj.status == 429:
            body = inj.body or {
                "message": "You are being rate limited.",
                "retry_after": 0.05,
                "global": False,
                "code": 0,
            }
            headers.setdefault("Via", "1.1 google")
            headers.setdefault(
                "X-RateLimit-Scope", "shared" if not body.get("global") else "global"
            )
            headers.setdefault("Retry-After", "1")
            self.fake.stats.rate_limited["injected"] += 1
        elif inj.body is not None:
            body = inj.body
        else:
            reason = {
                403: ("Missing Permissions", 50013),
                404: ("Unknown Channel", 10003),
                400: ("Invalid Form Body", 50035),
            }
            message, code = reason.get(inj.status, (f"{inj.status}: fake fault", 0))
            body = {"message": message, "code": code}
        return json_response(body, inj.status, headers)

    async def _parse_body(self, request: web.Request, call: Call, ctype: str | None) -> None:
        if ctype is not None and ctype.startswith("multipart/form-data"):
            if not self.fake.spec.accepts(call.template, call.method, "multipart/form-data"):
                raise HttpError(400, 50035, f"multipart body not accepted on {call.template}")
            form = await request.post()
            payload = form.get("payload_json")
            if isinstance(payload, str):
                call.body = _loads(payload)
            for key, value in form.items():
                if key.startswith("files[") and isinstance(value, web.FileField):
                    size = len(value.file.read())
                    call.files.append(
                        {
                            "field": key,
                            "filename": value.filename,
                            "size": size,
                            "content_type": value.content_type,
                        }
                    )
            return
        raw = await request.read()
        if not raw:
            if self.fake.spec.body_required(call.template, call.method):
                raise HttpError(400, 50109, "The request body contains invalid JSON.")
            return
        if ctype != "application/json":
            raise HttpError(
                400,
                50035,
                f"Content-Type must be exactly 'application/json' for a JSON body, got {ctype!r}",
            )
        call.body = _loads(raw.decode("utf-8", errors="replace"))

    def _validate(self, call: Call) -> list[FieldError]:
        """Schema errors first, then the limits the spec does not encode."""
        if call.body is None:
            return []
        errors: list[FieldError] = []
        if self.fake.validate_schema:
            for text in self.fake.spec.validate_body(call.template, call.method, call.body):
                where, _, message = text.partition(": ")
                path = () if where == "<body>" else tuple(where.split("/"))
                errors.append(FieldError(path, "SCHEMA", message))
        key = (call.method, call.template)
        body = call.body
        if key in MESSAGE_BODIES:
            errors += limits.message_errors(
                body, creating=MESSAGE_BODIES[key], has_files=bool(call.files)
            )
            errors += allowed_mentions_errors(body)
        elif key == ("POST", CALLBACK) and isinstance(body, dict):
            cb = body.get("type")
            data = body.get("data")
            if cb == CHANNEL_MESSAGE:
                errors += limits.message_errors(
                    data if isinstance(data, dict) else {},
                    path=("data",),
                    creating=True,
                    has_files=bool(call.files),
                )
            elif cb in (UPDATE_MESSAGE, DEFERRED_CHANNEL_MESSAGE) and isinstance(data, dict):
                errors += limits.message_errors(data, path=("data",), creating=False)
            elif cb == AUTOCOMPLETE_RESULT:
                errors += limits.autocomplete_errors(data)
        elif key in (("PUT", GLOBAL_COMMANDS), ("PUT", GUILD_COMMANDS)):
            errors += limits.command_list_errors(body)
        elif key in (("POST", GLOBAL_COMMANDS), ("POST", GUILD_COMMANDS)) and isinstance(
            body, dict
        ):
            errors += limits.command_errors((), body)
        return errors

    def _with_attachments(self, call: Call, body: JSON, existing: Message | None) -> JSON:
        """The body with ``attachments`` as Discord stores them: uploads of this request
        (``files[n]`` referenced by ``{"id": n}``) plus kept attachments of ``existing``."""
        if not call.files and "attachments" not in body:
            return body
        kept = {a["id"]: a for a in existing.attachments} if existing is not None else {}
        uploads = {f["field"][len("files[") : -1]: f for f in call.files}
        out: list[JSON] = []
        refs = body.get("attachments")
        if refs is None:
            refs = [{"id": n} for n in uploads]
        for ref in refs or []:
            rid = str(ref.get("id"))
            if rid in kept:
                out.append(kept[rid])
            elif rid in uploads:
                f = uploads[rid]
                aid = str(self.fake.ids.next())
                out.append(
                    {
                        "id": aid,
                        "filename": ref.get("filename") or f["filename"],
                        "size": f["size"],
                        "url": f"{self.fake.base_url}/attachments/{aid}/{f['filename']}",
                        "proxy_url": f"{self.fake.base_url}/attachments/{aid}/{f['filename']}",
                        "content_type": f["content_type"],
                        "description": ref.get("description"),
                    }
                )
        return {**body, "attachments": out}

    # --- identity and gateway ----------------------------------------------------------------

    async def get_me(self, call: Call) -> web.StreamResponse:
        data = self.fake.bot_user.to_json()
        data.update(verified=True, mfa_enabled=False, locale="en-US", email=None, premium_type=0)
        return json_response(data)

    async def get_user(self, call: Call) -> web.StreamResponse:
        user = self.fake.users.get(call.int_param("user_id"))
        if user is None:
            raise HttpError(404, 10013, "Unknown User")
        return json_response(user.to_json())

    async def create_dm(self, call: Call) -> web.StreamResponse:
        body = call.body if isinstance(call.body, dict) else {}
        user = self.fake.users.get(int(body.get("recipient_id") or 0))
        if user is None:
            raise HttpError(400, 50033, "Invalid Recipient(s)")
        return json_response(self.fake.dm_channel(user).to_json())

    async def get_application(self, call: Call) -> web.StreamResponse:
        fake = self.fake
        return json_response(
            {
                "id": str(fake.application_id),
                "name": fake.bot_user.username,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "bot": fake.bot_user.to_json(),
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": fake.owner.to_json(),
                "team": None,
                "flags": 0,
                "rpc_origins": [],
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "role_connections_verification_url": None,
                "tags": [],
                "install_params": {"scopes": ["bot", "applications.commands"], "permissions": "0"},
                "integration_types_config": {"0": {}},
                "approximate_guild_count": len(fake.guilds),
            }
        )

    async def get_gateway(self, call: Call) -> web.StreamResponse:
        return json_response({"url": self.fake.gateway_url.rstrip("/")})

    async def get_gateway_bot(self, call: Call) -> web.StreamResponse:
        used = len(self.fake.gateway.identifies)
        return json_response(
            {
                "url": self.fake.gateway_url.rstrip("/"),
                "shards": self.fake.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": max(0, 1000 - used),
                    "reset_after": 86_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    # --- application commands -----------------------------------------------------------------

    def _command_scope(self, call: Call) -> int | None:
        if call.int_param("application_id") != self.fake.application_id:
            raise HttpError(403, 50001, "Missing Access")
        if "guild_id" not in call.params:
            return None
        gid = call.int_param("guild_id")
        if gid not in self.fake.guilds:
            raise HttpError(403, 50001, "Missing Access")
        return gid

    async def list_commands(self, call: Call) -> web.StreamResponse:
        scope = self._command_scope(call)
        return json_response([c.to_json() for c in self.fake.commands.get(scope, [])])

    async def overwrite_commands(self, call: Call) -> web.StreamResponse:
        scope = self._command_scope(call)
        stored = self.fake.overwrite_commands(scope, list(call.body or []))
        return json_response([c.to_json() for c in stored])

    async def upsert_command(self, call: Call) -> web.StreamResponse:
        scope = self._command_scope(call)
        body = call.body if isinstance(call.body, dict) else {}
        current = [c.payload for c in self.fake.commands.get(scope, [])]
        ctype = int(body.get("type") or 1)
        replaced = [
            p for p in current if (int(p.get("type") or 1), p["name"]) != (ctype, body["name"])
        ]
        created = len(replaced) == len(current)
        stored = self.fake.overwrite_commands(scope, [*replaced, body])
        cmd = next(c for c in stored if c.name == body["name"] and c.type == ctype)
        return json_response(cmd.to_json(), 201 if created else 200)

    def _find_command(self, call: Call) -> tuple[int | None, int]:
        scope = self._command_scope(call)
        cid = call.int_param("command_id")
        for i, cmd in enumerate(self.fake.commands.get(scope, [])):
            if cmd.id == cid:
                return scope, i
        raise HttpError(404, 10063, "Unknown application command")

    async def get_command(self, call: Call) -> web.StreamResponse:
        scope, i = self._find_command(call)
        return json_response(self.fake.commands[scope][i].to_json())

    async def edit_command(self, call: Call) -> web.StreamResponse:
        scope, i = self._find_command(call)
        payloads = [c.payload for c in self.fake.commands[scope]]
        payloads[i] = {**payloads[i], **(call.body or {})}
        errors = limits.command_errors((), payloads[i])
        if errors:
            raise HttpError(400, 50035, "; ".join(map(str, errors)), violation=True)
        stored = self.fake.overwrite_commands(scope, payloads)
        return json_response(stored[i].to_json())

    async def delete_command(self, call: Call) -> web.StreamResponse:
        scope, i = self._find_command(call)
        del self.fake.commands[scope][i]
        return web.Response(status=204)

    # --- interactions ----------------------------------------------------------------------

    async def interaction_callback(self, call: Call) -> web.StreamResponse:
        fake = self.fake
        result = fake.interactions.get(call.int_param("interaction_id"))
        if result is None or result.token != call.params["interaction_token"]:
            raise unknown_interaction()
        if result.responded:
            raise HttpError(
                400, 40060, "Interaction has already been acknowledged.", violation=True
            )
        late = fake.clock.monotonic() - result.created_at
        if late > fake.interaction_deadline:
            raise HttpError(
                404,
                10062,
                "Unknown interaction",
                violation=True,
                detail=f"initial response after {late:.2f}s "
                f"(deadline {fake.interaction_deadline}s)",
            )
        body: JSON = call.body if isinstance(call.body, dict) else {}
        cb = body.get("type")
        if cb not in ALLOWED_CALLBACKS.get(result.type, frozenset()):
            raise HttpError(
                400,
                50035,
                f"Interaction callback type {cb} is not valid for interaction type {result.type}",
                violation=True,
            )
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        assert isinstance(data, dict)
        resource: JSON | None = None
        if cb == CHANNEL_MESSAGE:
            data = self._with_attachments(call, data, None)
            msg = self._interaction_message(result, data, int(data.get("flags") or 0) & EPHEMERAL)
            result.message = msg
            resource = {"type": cb, "message": msg.to_json()}
        elif cb == DEFERRED_CHANNEL_MESSAGE:
            flags = (int(data.get("flags") or 0) & EPHEMERAL) | LOADING
            msg = self._interaction_message(result, {}, flags)
            result.message = msg
            resource = {"type": cb, "message": msg.to_json()}
        elif cb == DEFERRED_UPDATE_MESSAGE:
            result.message = result.source_message
        elif cb == UPDATE_MESSAGE:
            source = result.source_message
            if source is None:
                raise HttpError(400, 50035, "UPDATE_MESSAGE needs a message", violation=True)
            source.apply_edit(self._with_attachments(call, data, source), at=fake.clock.now())
            result.message = source
            resource = {"type": cb, "message": source.to_json()}
        elif cb == MODAL:
            pass
        result.response_type = int(cb)
        result.response = body
        result.responded_perf = call.arrived
        result.notify()
        if call.query.get("with_response", "").lower() not in ("1", "true"):
            return web.Response(status=204)
        interaction: JSON = {
            "id": str(result.id),
            "type": result.type,
            "response_message_loading": cb == DEFERRED_CHANNEL_MESSAGE,
            "response_message_ephemeral": bool(
                result.message is not None
                and cb in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE)
                and result.message.ephemeral
            ),
            "channel_id": str(result.channel.id),
        }
        if result.guild is not None:
            interaction["guild_id"] = str(result.guild.id)
        if result.message is not None and cb in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            interaction["response_message_id"] = str(result.message.id)
        out: JSON = {"interaction": interaction}
        if resource is not None:
            out["resource"] = resource
        return json_response(out)

    def _interaction_message(self, result: InteractionResult, data: JSON, flags: int) -> Message:
        if result.forced_ephemeral:
            flags |= EPHEMERAL
        if result.type == APPLICATION_COMMAND:
            cmd_type = result.command.type if result.command else 1
            mtype = 20 if cmd_type == 1 else 23
        else:
            mtype = 19
        return self.fake.create_message(
            result.channel,
            self.fake.bot_user,
            data,
            type=mtype,
            flags=flags,
            webhook_id=self.fake.application_id,
            interaction=result,
        )

    def _webhook_interaction(self, call: Call) -> InteractionResult:
        fake = self.fake
        if call.int_param("webhook_id") != fake.application_id:
            raise HttpError(404, 10015, "Unknown Webhook", violation=True)
        result = fake.interaction_by_token(call.params["webhook_token"])
        if result is None:
            raise HttpError(401, 50027, "Invalid Webhook Token", violation=True)
        age = fake.clock.monotonic() - result.created_at
        from .server import TOKEN_LIFETIME

        if age > TOKEN_LIFETIME:
            raise HttpError(
                401, 50027, f"Invalid Webhook Token (expired after {age:.0f}s)", violation=True
            )
        if not result.responded:
            raise HttpError(
                404, 10015, "Unknown Webhook (interaction not acknowledged yet)", violation=True
            )
        return result

    def _webhook_message(self, call: Call, result: InteractionResult) -> Message:
        if call.template == WEBHOOK_ORIGINAL:
            if result.message is None or result.message.deleted:
                raise unknown_message()
            return result.message
        mid = call.int_param("message_id")
        for msg in [result.message, *result.followups]:
            if msg is not None and msg.id == mid and not msg.deleted:
                return msg
        raise unknown_message()

    async def followup(self, call: Call) -> web.StreamResponse:
        result = self._webhook_interaction(call)
        body: JSON = call.body if isinstance(call.body, dict) else {}
        original = result.message
        if (
            original is not None
            and original.flags & LOADING
            and result.response_type == DEFERRED_CHANNEL_MESSAGE
        ):
            # After a deferral, the first followup fills in the "thinking" message.
            original.apply_edit(
                self._with_attachments(call, body, original), at=self.fake.clock.now()
            )
            msg = original
        else:
            msg = self.fake.create_message(
                result.channel,
                self.fake.bot_user,
                self._with_attachments(call, body, None),
                type=0,
                flags=EPHEMERAL
                if result.forced_ephemeral
                else int(body.get("flags") or 0) & EPHEMERAL,
                webhook_id=self.fake.application_id,
                interaction=result,
            )
        result.followups.append(msg)
        result.notify()
        if call.query.get("wait", "").lower() in ("1", "true"):
            return json_response(msg.to_json())
        return web.Response(status=204)

    async def webhook_get_message(self, call: Call) -> web.StreamResponse:
        result = self._webhook_interaction(call)
        return json_response(self._webhook_message(call, result).to_json())

    async def webhook_edit_message(self, call: Call) -> web.StreamResponse:
        result = self._webhook_interaction(call)
        msg = self._webhook_message(call, result)
        body: JSON = call.body if isinstance(call.body, dict) else {}
        msg.apply_edit(self._with_attachments(call, body, msg), at=self.fake.clock.now())
        if msg is result.message:
            result.edits.append(body)
        result.notify()
        return json_response(msg.to_json())

    async def webhook_delete_message(self, call: Call) -> web.StreamResponse:
        result = self._webhook_interaction(call)
        msg = self._webhook_message(call, result)
        msg.deleted = True
        result.notify()
        return web.Response(status=204)

    # --- channels and messages ---------------------------------------------------------------

    def _channel(self, call: Call) -> Channel:
        channel = self.fake.channels.get(call.int_param("channel_id"))
        if channel is None:
            raise unknown_channel()
        return channel

    def _require(self, channel: Channel, needed: int) -> None:
        if channel.type == DM:
            return
        if channel.guild_id is None or channel.guild_id not in self.fake.guilds:
            # A group DM, or a guild the bot is not in (user installs): only the interaction
            # reaches there; a channel request is the bot assuming what it cannot see.
            raise HttpError(
                403, 50001, "Missing Access", violation=True, detail="the bot is not here"
            )
        have = self.fake.bot_channel_permissions(channel)
        if not have & perms.VIEW_CHANNEL:
            raise HttpError(403, 50001, "Missing Access")
        if have & needed != needed:
            raise HttpError(403, 50013, "Missing Permissions")

    async def get_channel(self, call: Call) -> web.StreamResponse:
        channel = self._channel(call)
        self._require(channel, perms.VIEW_CHANNEL)
        return json_response(channel.to_json())

    async def list_messages(self, call: Call) -> web.StreamResponse:
        channel = self._channel(call)
        self._require(channel, perms.VIEW_CHANNEL)
        if channel.type != DM and not (
            self.fake.bot_channel_permissions(channel) & perms.READ_MESSAGE_HISTORY
        ):
            # Discord: "If the current user is missing the READ_MESSAGE_HISTORY permission in
            # the channel, then no messages will be returned" -- a 200, not a 403.
            return json_response([])
        msgs = list(reversed(self.fake.channel_messages(channel)))
        before = call.query.get("before")
        after = call.query.get("after")
        if before:
            msgs = [m for m in msgs if m.id < int(before)]
        if after:
            msgs = [m for m in msgs if m.id > int(after)]
        limit = max(1, min(100, int(call.query.get("limit", "50"))))
        return json_response([m.to_json() for m in msgs[:limit]])

    async def create_message(self, call: Call) -> web.StreamResponse:
        channel = self._channel(call)
        body: JSON = call.body if isinstance(call.body, dict) else {}
        needed = perms.VIEW_CHANNEL | perms.SEND_MESSAGES
        if body.get("embeds"):
            needed |= perms.EMBED_LINKS
        if call.files:
            needed |= perms.ATTACH_FILES
        self._require(channel, needed)
        recipient = channel.recipient if channel.type == DM else None
        if recipient is not None and recipient.id in self.fake.closed_dms:
            raise HttpError(403, 50007, "Cannot send messages to this user")
        flags = int(body.get("flags") or 0)
        if flags & EPHEMERAL:
            raise HttpError(
                400, 50035, "Ephemeral flag is only valid on interaction responses", violation=True
            )
        ref = body.get("message_reference")
        msg = self.fake.create_message(
            channel,
            self.fake.bot_user,
            self._with_attachments(call, body, None),
            type=19 if ref else 0,
            flags=flags,
        )
        return json_response(msg.to_json())

    def _message(self, call: Call, channel: Channel) -> Message:
        msg = self.fake.messages.get(call.int_param("message_id"))
        if msg is None or msg.deleted or msg.channel_id != channel.id or msg.ephemeral:
            raise unknown_message()
        return msg

    async def get_message(self, call: Call) -> web.StreamResponse:
        channel = self._channel(call)
        self._require(channel, perms.VIEW_CHANNEL | perms.READ_MESSAGE_HISTORY)
        return json_response(self._message(call, channel).to_json())

    async def edit_message(self, call: Call) -> web.StreamResponse:
        channel = self._channel(call)
        self._require(channel, perms.VIEW_CHANNEL)
        msg = self._message(call, channel)
        if msg.author.id != self.fake.bot_user.id:
            raise HttpError(403, 50005, "Cannot edit a message authored by another user")
        body: JSON = call.body if isinstance(call.body, dict) else {}
        if body.get("embeds") and not msg.webhook_id:
            self._require(channel, perms.VIEW_CHANNEL | perms.EMBED_LINKS)
        msg.apply_edit(self._with_attachments(call, body, msg), at=self.fake.clock.now())
        return json_response(msg.to_json())

    async def delete_message(self, call: Call) -> web.StreamResponse:
        channel = self._channel(call)
        self._require(channel, perms.VIEW_CHANNEL)
        msg = self._message(call, channel)
        if msg.author.id != self.fake.bot_user.id:
            self._require(channel, perms.VIEW_CHANNEL | perms.MANAGE_MESSAGES)
        msg.deleted = True
        return web.Response(status=204)

    async def typing(self, call: Call) -> web.StreamResponse:
        channel = self._channel(call)
        self._require(channel, perms.VIEW_CHANNEL | perms.SEND_MESSAGES)
        return web.Response(status=204)

    # --- guilds ------------------------------------------------------------------------------

    def _guild(self, call: Call) -> Guild:
        guild = self.fake.guilds.get(call.int_param("guild_id"))
        if guild is None:
            raise HttpError(404, 10004, "Unknown Guild")
        return guild

    async def get_guild(self, call: Call) -> web.StreamResponse:
        guild = self._guild(call)
        data = guild.to_rest_json()
        if call.query.get("with_counts", "").lower() in ("1", "true"):
            data["approximate_member_count"] = len(guild.members)
            data["approximate_presence_count"] = 0
        return json_response(data)

    async def get_guild_channels(self, call: Call) -> web.StreamResponse:
        guild = self._guild(call)
        return json_response([c.to_json() for c in guild.channels.values()])

    async def get_guild_roles(self, call: Call) -> web.StreamResponse:
        guild = self._guild(call)
        return json_response([r.to_json() for r in guild.roles.values()])

    async def list_members(self, call: Call) -> web.StreamResponse:
        guild = self._guild(call)
        limit = max(1, min(1000, int(call.query.get("limit", "1"))))
        members = sorted(guild.members.values(), key=lambda m: m.id)
        after = int(call.query.get("after", "0"))
        return json_response([m.to_json() for m in members if m.id > after][:limit])

    async def get_member(self, call: Call) -> web.StreamResponse:
        guild = self._guild(call)
        member = guild.members.get(call.int_param("user_id"))
        if member is None:
            raise HttpError(404, 10007, "Unknown Member")
        return json_response(member.to_json())


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise HttpError(400, 50109, "The request body contains invalid JSON.") from None
