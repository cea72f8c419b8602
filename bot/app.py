"""The bot: a `commands.Bot` subclass whose `setup_hook` wires config, content, store and
extensions, plus the command tree's error handler. The digest extension owns the digest's
scheduler and poster (`bot.exts.digest`).

Nothing here starts work at import or in `__init__`; everything starts in `setup_hook` and stops
in `close`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalog import Catalog, load_catalog
from bot.catalog.models import LANGS
from bot.endpoints import apply_overrides
from bot.exts.checks import NotOwner
from bot.exts.reach import EVERYWHERE_CONTEXTS, EVERYWHERE_INSTALLS
from bot.i18n import SummitTranslator, lang_for_locale, strings, t
from bot.ops.health import HealthServer
from bot.ops.metrics import BotMetrics, Outcome, app_command_names, bot_snapshot
from bot.ops.reload import ReloadResult, reload_content
from bot.store import Store, StoreError
from bot.ui.components import DYNAMIC_ITEMS
from bot.ui.replies import bind_interaction_log_context, interaction_context, reply_private
from bot.ui.text import bound_options

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

#: Every feature is an extension (STYLE.md §1); loaded in this order.
EXTENSIONS: tuple[str, ...] = (
    "bot.exts.quotes",
    "bot.exts.speakers",
    "bot.exts.glossary",
    "bot.exts.summit",
    "bot.exts.help",
    "bot.exts.admin",
    "bot.exts.digest",
    "bot.exts.mydigest",
    "bot.exts.whosaid",
)


#: Errors that are the user's (or Discord's permission setup), not ours: metrics say user_error.
_USER_ERRORS = (
    app_commands.NoPrivateMessage,
    app_commands.MissingPermissions,
    app_commands.CommandOnCooldown,
    app_commands.CheckFailure,
    app_commands.TransformerError,
)


class SummitTree(app_commands.CommandTree["SummitBot"]):
    """Command tree with one error handler for every app command."""

    async def interaction_check(self, interaction: discord.Interaction[SummitBot], /) -> bool:
        # Runs first in the interaction's own task: every log line of it carries its ids.
        bind_interaction_log_context(interaction)
        # Before discord.py reads any option (commands and autocomplete): bounded input.
        bound_options(interaction.data)
        interaction.client.metrics.interaction_started(interaction)
        return True

    async def on_error(
        self, interaction: discord.Interaction[SummitBot], error: app_commands.AppCommandError, /
    ) -> None:
        lang = lang_for_locale(interaction.locale)
        interaction.client.metrics.handler_failed(interaction, getattr(error, "original", error))
        if (
            isinstance(error, app_commands.TransformerError)
            and error.__cause__ is not None
            and not hasattr(error, "answer")
        ):
            # discord.py wraps whatever a transformer raised: a crash there, not a bad value.
            await self._apologize(interaction, error.__cause__)
            return
        if isinstance(error, _USER_ERRORS):
            interaction.client.record_outcome(interaction, "user_error")
        if isinstance(error, app_commands.NoPrivateMessage):
            await reply_private(interaction, t("errors.guild_only", lang))
        elif isinstance(error, NotOwner):
            await reply_private(interaction, t("admin.owner_only", lang))
        elif isinstance(error, app_commands.MissingPermissions):
            await reply_private(interaction, t("errors.missing_permissions", lang))
        elif isinstance(error, app_commands.CommandOnCooldown):
            await reply_private(
                interaction, t("errors.cooldown", lang, seconds=f"{error.retry_after:.0f}")
            )
        elif isinstance(error, app_commands.CheckFailure):
            await reply_private(interaction, t("errors.check_failed", lang))
        elif isinstance(error, app_commands.TransformerError):
            # An option's transformer refused the value; its `answer` says why, localized.
            answer = getattr(error, "answer", None)
            if isinstance(answer, str):
                await reply_private(interaction, answer)
            else:
                await reply_private(interaction, t("errors.bad_value", lang))
        elif isinstance(original := getattr(error, "original", error), StoreError):
            # Read-only, full, locked or closed database: an operator's problem, not a bug.
            log.warning(
                "storage unavailable in an interaction: %s",
                original,
                extra=interaction_context(interaction),
            )
            interaction.client.record_outcome(interaction, "error")
            await reply_private(interaction, t("errors.storage_unavailable", lang))
        else:
            await self._apologize(interaction, getattr(error, "original", error))

    async def _apologize(
        self, interaction: discord.Interaction[SummitBot], original: BaseException
    ) -> None:
        """Our bug: log it with an id and tell the user that id, nothing more."""
        lang = lang_for_locale(interaction.locale)
        error_id = secrets.token_hex(4)
        log.error(
            "unexpected error in an interaction (error id %s)",
            error_id,
            exc_info=original,
            extra={**interaction_context(interaction), "error_id": error_id},
        )
        interaction.client.record_outcome(interaction, "error")
        await reply_private(interaction, t("errors.unexpected", lang, error_id=error_id))


class ContentHolder:
    """The current catalog; swapped whole on reload so readers never see a half-loaded pack."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.lock = asyncio.Lock()


class SummitBot(commands.Bot):
    """The bot on one gateway connection; `ShardedSummitBot` adds auto-sharding."""

    def __init__(self, settings: Settings, *, runtime: bool = True, **options: Any) -> None:
        intents = discord.Intents.none()
        intents.guilds = True  # app commands need nothing else; no privileged intents
        #: Prometheus metrics (always collected; served by the health endpoint when enabled).
        metrics = BotMetrics(lambda: bot_snapshot(self))
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents,
            tree_cls=SummitTree,
            # Every command works on guild and user installs, in servers, DMs and group DMs,
            # unless it says otherwise (`/digest`, `/admin`: bot.exts.reach.server_only).
            allowed_installs=EVERYWHERE_INSTALLS,
            allowed_contexts=EVERYWHERE_CONTEXTS,
            allowed_mentions=discord.AllowedMentions.none(),
            member_cache_flags=discord.MemberCacheFlags.none(),
            chunk_guilds_at_startup=False,
            max_messages=None,
            **options,
        )
        self.metrics = metrics
        self.settings = settings
        #: False for `summitbot sync`: commands only, no store, no digest service.
        self.runtime = runtime
        self._content: ContentHolder | None = None
        self._store: Store | None = None
        self._health: HealthServer | None = None
        apply_overrides(settings.discord.api_base, settings.discord.gateway_url)

    # -- wiring ---------------------------------------------------------------------------------

    @property
    def catalog(self) -> Catalog:
        if self._content is None:
            raise RuntimeError("content is loaded in setup_hook")
        return self._content.catalog

    @property
    def content(self) -> ContentHolder:
        if self._content is None:
            raise RuntimeError("content is loaded in setup_hook")
        return self._content

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the store is opened in setup_hook (runtime mode only)")
        return self._store

    async def setup_hook(self) -> None:
        settings = self.settings
        catalog = await asyncio.to_thread(load_catalog, settings.content.path)
        self._content = ContentHolder(catalog)
        log.info(
            "content loaded: %d packs, %d quotes, %d terms",
            len(catalog.packs),
            len(catalog.quotes),
            len(catalog.terms),
        )
        self.metrics.content_loaded()
        if self.runtime:
            self._store = await Store.open(settings.database.path)
            await self._store.migrate()

        # Parse the UI strings now, not inside the first interaction (3-second deadline).
        for lang in LANGS:
            strings(lang)
        await self.tree.set_translator(SummitTranslator())
        # Every button the bot sends: a click on any message, ever, finds its item here.
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.metrics.known_commands(app_command_names(self.tree))

        guild_id = settings.discord.dev_guild_id
        if self.runtime and guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to the dev guild %d", len(synced), guild_id)

        if self.runtime and settings.health.enabled:
            self._health = HealthServer(self, settings.health.host, settings.health.port)
            await self._health.start()

    @property
    def health_server(self) -> HealthServer | None:
        """The running health/metrics endpoint, if `health.enabled`."""
        return self._health

    async def reload_content(self) -> ReloadResult:
        """Reload every content pack atomically; invalid content keeps the running content."""
        return await reload_content(self)

    async def close(self) -> None:
        if self._health is not None:
            await self._health.stop()
            self._health = None
        # Unloads the extensions first: the digest cog stops its service there, letting a post
        # in flight finish and record itself before the gateway goes away.
        await super().close()
        if self._store is not None:
            await self._store.close()
            self._store = None

    # -- hooks for metrics and logging ----------------------------------------------------------

    def record_outcome(self, interaction: discord.Interaction[Any], outcome: Outcome) -> None:
        """Note how a command ended: ok, error (ours) or user_error (refused or invalid input).

        The first outcome recorded for an interaction is the one counted.
        """
        self.metrics.command_outcome(interaction, outcome)

    async def on_app_command_completion(
        self,
        interaction: discord.Interaction[Any],
        command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu,
    ) -> None:
        self.record_outcome(interaction, "ok")

    async def on_ready(self) -> None:
        log.info("ready as %s in %d guilds", self.user, len(self.guilds))


class ShardedSummitBot(SummitBot, commands.AutoShardedBot):
    """The bot on several shards in one process (`discord.shard_count` / `shard_ids`)."""


def create_bot(settings: Settings, *, runtime: bool = True, **options: Any) -> SummitBot:
    """Build the right bot class for the settings.

    `options` go to discord.py's client unchanged (e.g. the test harness's short
    `guild_ready_timeout`).
    """
    shard_count = settings.discord.shard_count
    if shard_count is None:
        return SummitBot(settings, runtime=runtime, **options)
    return ShardedSummitBot(
        settings,
        runtime=runtime,
        shard_count=shard_count,
        shard_ids=settings.discord.shard_ids,
        **options,
    )
