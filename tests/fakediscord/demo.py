"""Try the bot offline: the real bot, unmodified, against the local fake Discord.

    python -m tests.fakediscord.demo                           # sample commands, then a prompt
    python -m tests.fakediscord.demo "/quote speaker:tangjie"  # these commands instead
    python -m tests.fakediscord.demo --locale zh-CN            # answers in Chinese

It starts a fake Discord on 127.0.0.1 with one server ("Demo server", channel #general) and
one member who may manage it, starts the bot against it with settings written to a temporary
folder and loaded by the real config loader (a fresh database there, the repository's content),
sends the commands as that member and prints the bot's answers. Then it reads more commands
from stdin, one per line, until end of input (Ctrl-D): `/quote speaker:tangjie`,
`/glossary RLVR` (a bare word fills the first open option), `/digest status`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import shlex
import sys
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import discord
import yaml

from bot.app import create_bot
from bot.config import Settings, load_settings
from bot.ui.terminal import embed_to_text, markdown_to_plain
from tests.fakediscord import FakeDiscord, Guild, InteractionResult, InteractionTimeout, User
from tests.fakediscord.runner import run_client

JSON = dict[str, Any]

DEFAULT_COMMANDS = ("/summit", "/quote", "/glossary RLVR")
#: discord.py's Manage Server permission bit: the demo member may try /digest too.
MANAGE_GUILD = 1 << 5
#: Option types that hold options rather than a value (subcommand, subcommand group).
_NESTED = (1, 2)

HOW_TO = """\
Send more: one command per line, options as name:value, quotes for spaces, e.g.
  /quote speaker:tangjie
  /quote search:"Token Efficiency"
  /glossary RLVR
  /speaker 杨强
  /digest status
End with Ctrl-D (end of input). Commands: {names}"""


def parse_command(line: str, commands: Mapping[str, JSON]) -> tuple[str, dict[str, str]]:
    """`/quote speaker:tangjie` → ("quote", {"speaker": "tangjie"}); ValueError says what's wrong.

    A word naming a subcommand selects it (`/digest status`); any other bare word fills the
    first option not given yet (`/glossary RLVR`).
    """
    words = shlex.split(line)
    if not words or not words[0].startswith("/") or len(words[0]) < 2:
        raise ValueError("a command starts with /, e.g. /quote")
    payload = commands.get(words[0][1:])
    if payload is None:
        raise ValueError(f"unknown command {words[0]}")
    path = [words[0][1:]]
    defs: list[JSON] = list(payload.get("options") or [])
    options: dict[str, str] = {}
    for word in words[1:]:
        key, colon, value = word.partition(":")
        values = [o for o in defs if o.get("type") not in _NESTED]
        nested = {o["name"]: o for o in defs if o.get("type") in _NESTED}
        if colon and key in {o["name"] for o in values}:
            options[key] = value
        elif word in nested and not options:
            path.append(word)
            defs = list(nested[word].get("options") or [])
        else:
            free = [o["name"] for o in values if o["name"] not in options]
            if not free:
                raise ValueError(f"/{' '.join(path)} has no option for {word!r}")
            options[free[0]] = word
    return " ".join(path), options


def _option(name: str, value: str) -> str:
    """`name:value`, the value quoted when it has spaces or quotes (as it would be typed)."""
    if any(ch.isspace() or ch in "\"'" for ch in value):
        return f"{name}:{shlex.quote(value)}"
    return f"{name}:{value}"


def _buttons(components: Iterable[JSON]) -> str:
    labels = [
        f"[{item.get('label') or item.get('emoji', {}).get('name') or '?'}]"
        for row in components
        for item in row.get("components") or []
        if item.get("type") == 2
    ]
    return " ".join(labels)


def describe(result: InteractionResult, width: int = 80) -> str:
    """What the bot answered, as a member would see it, in plain text."""
    if not result.responded:
        return f"(no answer; Discord errors: {result.errors or 'none'})"
    lines: list[str] = []
    if result.ephemeral:
        lines.append("(only you can see this)")
    if result.content:
        lines.append(markdown_to_plain(result.content))
    for embed in result.embeds:
        lines.append(embed_to_text(discord.Embed.from_dict(embed), width))
    buttons = _buttons(result.components)
    if buttons:
        lines.append(f"buttons: {buttons}")
    return "\n".join(lines) if lines else "(an empty answer)"


def _settings(folder: Path, fake: FakeDiscord, guild: Guild) -> Settings:
    """Settings pointed at the fake, through the real config loader (no environment read)."""
    data = {
        "discord": {
            "api_base": fake.api_base,
            "gateway_url": fake.gateway_url,
            "dev_guild_id": guild.id,
        },
        "database": {"path": str(folder / "summitbot.db")},
        "health": {"enabled": False},
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_settings(path, env={"DISCORD_TOKEN": fake.token})


async def _no_identify_pacing(shard_id: int | None, *, initial: bool = False) -> None:
    """One shard, one identify: discord.py's 5 s pacing is not needed."""


class _Session:
    """The fake, the running bot and the demo member; sends one command line at a time."""

    def __init__(self, fake: FakeDiscord, guild: Guild, user: User, locale: str, out: TextIO):
        self.fake, self.guild, self.user, self.locale, self.out = fake, guild, user, locale, out

    @property
    def commands(self) -> dict[str, JSON]:
        registered = self.fake.registered_commands(self.guild)
        return {c["name"]: c for c in registered if int(c.get("type") or 1) == 1}

    async def send(self, line: str) -> None:
        try:
            name, options = parse_command(line, self.commands)
            shown = " ".join([f"/{name}", *(_option(k, v) for k, v in options.items())])
            print(f"\n>>> {shown}", file=self.out)
            result = await self.fake.slash(
                self.guild, None, self.user, name, options, locale=self.locale
            )
            if result.deferred:
                await result.wait_followups(1, timeout=10.0)
        except (ValueError, LookupError, InteractionTimeout) as exc:
            print(f"\n>>> {line}\n(not sent: {exc})", file=self.out)
            return
        print(describe(result), file=self.out, flush=True)


def _stdin_lines(stdin: TextIO) -> asyncio.Queue[str | None]:
    """Lines of `stdin` read on a daemon thread (the bot keeps running while it waits; Ctrl-C
    is not stuck behind a blocking read); None marks the end of input."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        try:
            for line in stdin:
                loop.call_soon_threadsafe(queue.put_nowait, line)
        except (OSError, ValueError):  # closed or unreadable stdin: treat as end of input
            pass
        with contextlib.suppress(RuntimeError):  # the loop may have closed already
            loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=read, name="demo-stdin", daemon=True).start()
    return queue


async def run(commands: Sequence[str], *, locale: str, stdin: TextIO | None, out: TextIO) -> int:
    """Start the fake and the bot, send `commands`, then lines from `stdin` until it ends."""
    with tempfile.TemporaryDirectory(prefix="summitbot-demo-") as folder:
        async with FakeDiscord(heartbeat_interval=5_000) as fake:
            user = fake.add_user("newcomer")
            guild = fake.add_guild("Demo server", locale=locale, channels=["general"])
            fake.add_member(guild, user, permissions=MANAGE_GUILD, dispatch=False)
            bot = create_bot(_settings(Path(folder), fake, guild), guild_ready_timeout=0.05)
            bot.before_identify_hook = _no_identify_pacing  # type: ignore[method-assign]
            print(f"Fake Discord on {fake.base_url}; the bot is starting ...", file=out)
            async with run_client(bot, fake):
                session = _Session(fake, guild, user, locale, out)
                print(f"Ready: {len(session.commands)} commands in #general.", file=out)
                for line in commands:
                    await session.send(line)
                if stdin is not None:
                    names = " ".join(f"/{name}" for name in sorted(session.commands))
                    print("\n" + HOW_TO.format(names=names), file=out, flush=True)
                    queue = _stdin_lines(stdin)
                    while (typed := await queue.get()) is not None:
                        if typed.strip():
                            await session.send(typed.strip())
                # Let the bot finish with every event the fake sent before it is closed.
                await fake.settle()
            problems = [str(v) for v in fake.violations]
    for problem in problems:
        print(f"Discord would have refused: {problem}", file=out)
    print("\nBye.", file=out)
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None, *, stdin: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakediscord.demo",
        description="Run the bot offline against a local fake Discord and talk to it.",
    )
    parser.add_argument(
        "commands",
        nargs="*",
        help=f"commands to send first (default: {' '.join(map(repr, DEFAULT_COMMANDS))})",
    )
    parser.add_argument(
        "--locale", default="en-US", help="the member's Discord locale (zh-CN: Chinese answers)"
    )
    parser.add_argument(
        "--no-input", action="store_true", help="do not read more commands from stdin"
    )
    args = parser.parse_args(argv)
    source = None if args.no_input else (stdin if stdin is not None else sys.stdin)
    # discord.py's own warnings (no voice support, ...) are noise here.
    discord_log = logging.getLogger("discord")
    level = discord_log.level
    discord_log.setLevel(logging.ERROR)
    try:
        return asyncio.run(
            run(args.commands or DEFAULT_COMMANDS, locale=args.locale, stdin=source, out=sys.stdout)
        )
    finally:
        discord_log.setLevel(level)


if __name__ == "__main__":
    sys.exit(main())
