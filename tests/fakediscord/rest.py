"""The REST API under ``/api/v10``: one pipeline every request goes through, then handlers.

Pipeline: injected faults → ``Authorization: Bot <token>`` → global and per-route rate
limits → body parsing (``Content-Type: application/json`` exactly, or multipart with
``payload_json`` where the spec allows it) → OpenAPI schema + Discord's extra limits →
handler. A refused body is a :class:`Violation` and a 400 with Discord's error body.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import limits
from .engage import EngageRoutes, allowed_mentions_errors, audit_reason
from .kinds import (
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    MODAL,
    UPDATE_MESSAGE,
)
from .limits import FieldError
from .rest_interactions import InteractionRoutes
from .rest_resources import ResourceRoutes
from .routes import (
    CALLBACK,
    CHANNEL_MESSAGE_ONE,
    CHANNEL_MESSAGES,
    GLOBAL_COMMAND,
    GLOBAL_COMMANDS,
    GUILD_COMMAND,
    GUILD_COMMANDS,
    MESSAGE_BODIES,
    TOKEN_ROUTES,
    WEBHOOK,
    WEBHOOK_MESSAGE,
    WEBHOOK_ORIGINAL,
    Call,
    Handler,
    HttpError,
    json_response,
)
from .state import Message

if TYPE_CHECKING:
    from .server import FakeDiscord

JSON = dict[str, Any]


class RestApi(ResourceRoutes, InteractionRoutes):
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
        from .records import RequestRecord, Violation

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
            elif cb == MODAL:
                errors += limits.modal_errors(("data",), data)
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


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise HttpError(400, 50109, "The request body contains invalid JSON.") from None
