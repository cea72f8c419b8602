"""REST handlers for interaction callbacks, followups and the interaction webhook messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .kinds import (
    ALLOWED_CALLBACKS,
    APPLICATION_COMMAND,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    MODAL,
    UPDATE_MESSAGE,
)
from .results import InteractionResult
from .routes import (
    WEBHOOK_ORIGINAL,
    Call,
    HttpError,
    json_response,
    unknown_interaction,
    unknown_message,
)
from .state import EPHEMERAL, LOADING, Message

if TYPE_CHECKING:
    from .server import FakeDiscord

JSON = dict[str, Any]


class InteractionRoutes:
    """A mixin of :class:`~.rest.RestApi`."""

    fake: FakeDiscord

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
