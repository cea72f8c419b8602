"""A discord.py client with commands that exercise the fake's interaction rules."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands

from tests.fakediscord.signal import Signal


class AgainView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.clicks = 0

    @discord.ui.button(label="Again", custom_id="probe:again", style=discord.ButtonStyle.primary)
    async def again(
        self, interaction: discord.Interaction, button: discord.ui.Button[AgainView]
    ) -> None:
        self.clicks += 1
        await interaction.response.edit_message(content=f"clicked {self.clicks}", view=self)


class ProbeBot(discord.Client):
    """Commands: slow, defer, buttons, big, silent, digest set/show, and "Explain terms"."""

    def __init__(self, *, guild_id: int) -> None:
        super().__init__(intents=discord.Intents.default())
        self.tree = app_commands.CommandTree(self)
        self.guild_id = guild_id
        self.gate = asyncio.Event()
        self.entered = asyncio.Event()
        self.errors: list[BaseException] = []
        #: Notified after each error, so tests await errors instead of polling for them.
        self.errors_changed = Signal()
        self.seen_locales: list[tuple[str, str | None]] = []
        self.seen_options: list[dict[str, object]] = []
        self._add_commands()

        @self.tree.error
        async def on_error(
            interaction: discord.Interaction, error: app_commands.AppCommandError
        ) -> None:
            self.errors.append(error)
            self.errors_changed.notify()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None

    async def setup_hook(self) -> None:
        await self.tree.sync(guild=discord.Object(self.guild_id))

    def _add_commands(self) -> None:
        guild = discord.Object(self.guild_id)
        tree = self.tree

        @tree.command(guild=guild, description="Answer after the test opens the gate.")
        async def slow(interaction: discord.Interaction) -> None:
            self.entered.set()
            await self.gate.wait()
            await interaction.response.send_message("late")

        @tree.command(guild=guild, description="Defer, then follow up twice.")
        async def defer(interaction: discord.Interaction) -> None:
            self.seen_locales.append((str(interaction.locale), str(interaction.guild_locale)))
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send("first", ephemeral=True)
            await interaction.followup.send("second", ephemeral=True)

        @tree.command(guild=guild, description="Send a message with a button.")
        async def buttons(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("press", view=AgainView())

        @tree.command(guild=guild, description="Send an embed over the limits.")
        async def big(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(embed=discord.Embed(title="t" * 300))

        @tree.command(guild=guild, description="Never answer.")
        async def silent(interaction: discord.Interaction) -> None:
            return None

        @tree.command(guild=guild, description="Answer, then edit the answer.")
        async def edit(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("draft")
            await interaction.edit_original_response(content="final")

        digest = app_commands.Group(
            name="digest", description="Digest settings.", guild_ids=[self.guild_id]
        )

        @digest.command(name="set", description="Set the digest channel.")
        @app_commands.describe(channel="Where to post", hour="Hour of day", mode="How")
        @app_commands.choices(
            mode=[
                app_commands.Choice(name="Daily", value="daily"),
                app_commands.Choice(name="Off", value="off"),
            ]
        )
        async def digest_set(
            interaction: discord.Interaction,
            channel: discord.TextChannel,
            hour: app_commands.Range[int, 0, 23],
            mode: app_commands.Choice[str] | None = None,
        ) -> None:
            self.seen_options.append(
                {"channel": channel.id, "hour": hour, "mode": mode.value if mode else None}
            )
            await interaction.response.send_message(f"digest in {channel.mention}", ephemeral=True)

        tree.add_command(digest)

        @tree.context_menu(name="Explain terms", guild=guild)
        async def explain(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(f"{len(message.content)} chars", ephemeral=True)
