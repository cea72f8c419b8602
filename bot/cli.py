"""The `summitbot` command: validate, preview and verify content offline; other modules add more.

Each subcommand is added by a registrar, `register(subparsers)`, which adds its parser and sets
`func` to a handler `(args) -> exit code`. `run`/`sync` (bot.runner) and `db` (bot.cli_db)
live in their own modules; to add a subcommand, write a registrar beside your code and append
it to `SUBCOMMANDS`. `--config` is accepted before or after any (sub)command. Handlers may raise
`ConfigError` (exit 2, printed with every problem) or `ContentError` (exit 1, every
`file:line: message` printed); `main` turns both into clean messages on stderr.

Exit codes: 0 success · 1 content problems or nothing found · 2 configuration or usage errors.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import discord

from bot import __version__, runner
from bot.catalog import Catalog, ContentError, Kind, load_catalog, verify_quotes
from bot.catalog.models import Lang, Quote
from bot.cli_db import probe_database_path, register_db
from bot.cli_draft import print_remaining_work, register_new
from bot.config import ConfigError, ConfigProblem, Settings, load_settings
from bot.exit_codes import EXIT_CONFIG, EXIT_OK, EXIT_PROBLEMS
from bot.ui.digest import digest_embed
from bot.ui.glossary import term_embed
from bot.ui.limits import truncate
from bot.ui.quotes import quote_embed
from bot.ui.speakers import speaker_embed, speakers_embed
from bot.ui.summit import summit_embed
from bot.ui.terminal import Vocabulary, embed_to_text
from bot.ui.text import name_pair, not_found_text

__all__ = [
    "SUBCOMMANDS",
    "Handler",
    "Registrar",
    "build_parser",
    "load_catalog_for",
    "main",
    "settings_from_args",
]

Handler = Callable[[argparse.Namespace], int]
Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


# --- shared helpers for handlers -----------------------------------------------------------


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The settings for this invocation (`--config`, else $SUMMITBOT_CONFIG, else defaults)."""
    config: Path | None = getattr(args, "config", None)
    return load_settings(config)


def load_catalog_for(
    settings: Settings, override: Path | None = None, *, drafts: bool = False
) -> Catalog:
    """Load the content packs from `override` or `content.path` (draft packs too if `drafts`).

    Raises ConfigError when the folder doesn't exist, ContentError when the content is wrong.
    """
    path = override if override is not None else settings.content.path
    if not path.is_dir():
        key = "--content" if override is not None else "content.path"
        problem = ConfigProblem(key, f"no such directory: {path}")
        raise ConfigError([problem], None if override is not None else settings.config_file)
    return load_catalog(path, drafts=drafts)


def _drafts_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--drafts",
        action="store_true",
        help="accept draft packs (`draft: true`, from `summitbot content new`) for previewing",
    )


def _content_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--content",
        type=Path,
        metavar="PATH",
        help="content folder to use instead of content.path from the config",
    )


# --- check ----------------------------------------------------------------------------------


def register_check(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="validate the configuration and every content pack",
        description="Validate the configuration and every content pack; print a summary.",
    )
    _content_option(parser)
    _drafts_option(parser)
    parser.set_defaults(func=_check)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _check(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    try:
        catalog = load_catalog_for(settings, args.content, drafts=args.drafts)
    except ContentError as error:
        if not any(issue.todo for issue in error.issues):
            raise
        print_remaining_work(error, sys.stderr)
        return EXIT_PROBLEMS
    database = settings.database.path
    db_state, db_problem = probe_database_path(database)
    if db_problem is not None:
        problem = ConfigProblem("database.path", f"{database} is not usable: {db_problem}")
        raise ConfigError([problem], settings.config_file)
    content_path = args.content or settings.content.path
    print(f"config:  {settings.config_file or 'defaults (no config file)'}")
    print(f"content: {content_path}")
    token = "set" if settings.token is not None else "not set (needed by `summitbot run`)"
    print(f"token:   DISCORD_TOKEN {token}")
    print(f"database: {database} ({db_state})")
    print()
    rows = [["pack", "speakers", "quotes", "terms", "topics", "sections"]]
    for pack in catalog.packs:
        counts = (pack.speakers, pack.quotes, pack.terms, pack.topics, pack.event.sections)
        rows.append([pack.id, *(str(len(items)) for items in counts)])
    if len(catalog.packs) > 1:
        totals = [sum(int(row[i]) for row in rows[1:]) for i in range(1, 6)]
        totals[0] = len(catalog.speakers)  # people: one who speaks at two summits counts once
        rows.append(["total", *(str(n) for n in totals)])
    for line in _table(rows):
        print(line)
    print()
    plural = "pack" if len(catalog.packs) == 1 else "packs"
    print(f"OK: configuration and {len(catalog.packs)} content {plural} are valid.")
    drafts = [pack for pack in catalog.packs if pack.event.draft]
    if drafts:
        names = ", ".join(pack.id for pack in drafts)
        print(f"Drafts accepted for previewing (not ready to serve): {names}")
    return EXIT_OK


# --- preview --------------------------------------------------------------------------------

PREVIEW_KINDS = ("quote", "speaker", "term", "summit", "digest")


def register_preview(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "preview",
        help="show in the terminal what the bot would post",
        description=(
            "Render the same embed the bot would post, as terminal text. "
            "quote/digest [ID or words] · speaker [NAME] (none: the speaker list) · "
            "term [TERM] · summit [PACK]"
        ),
    )
    parser.add_argument("what", choices=PREVIEW_KINDS, help="what to preview")
    parser.add_argument("arg", nargs="?", help="which one: an id, a name or search words")
    parser.add_argument("--lang", choices=("en", "zh"), default="en", help="language (en)")
    parser.add_argument(
        "--width",
        type=_width,
        default=None,
        metavar="COLUMNS",
        help=f"wrap width, {MIN_WIDTH}-{MAX_WIDTH} (default: the terminal's, at most 100)",
    )
    _content_option(parser)
    _drafts_option(parser)
    parser.set_defaults(func=_preview)


def _miss(catalog: Catalog, kind: Kind, query: str, lang: Lang) -> int:
    # Every candidate, as the bot's answer lists them: "yang" names two speakers, not one.
    suggestions = catalog.candidates(kind, query)
    print(not_found_text(kind, query, suggestions, lang, markdown=False), file=sys.stderr)
    return EXIT_PROBLEMS


def _pick_quote(catalog: Catalog, arg: str | None) -> Quote | None:
    if not arg:
        return next(iter(catalog.quotes.values()), None)
    found = catalog.find_quote(arg)
    if found is not None:
        return found
    matches = catalog.search_quotes(arg)
    return matches[0] if matches else None


def _preview_embeds(catalog: Catalog, args: argparse.Namespace) -> list[discord.Embed] | int:
    lang: Lang = args.lang
    arg: str | None = args.arg.strip() if args.arg and args.arg.strip() else None
    what = args.what
    if what in ("quote", "digest"):
        quote = _pick_quote(catalog, arg)
        if quote is None:
            return _miss(catalog, "quote", arg or "", lang)
        if what == "quote":
            return [quote_embed(catalog, quote, lang)]
        return [digest_embed(catalog, quote, lang, catalog.related_term(quote))]
    if what == "speaker":
        if arg is None:
            return [speakers_embed(catalog, lang)]
        speaker = catalog.find_speaker(arg)
        if speaker is None:
            return _miss(catalog, "speaker", arg, lang)
        return [speaker_embed(catalog, speaker, lang)]
    if what == "term":
        term = catalog.find_term(arg) if arg else next(iter(catalog.terms.values()), None)
        if term is None:
            return _miss(catalog, "term", arg or "", lang)
        return [term_embed(catalog, term, lang)]
    packs = [p for p in catalog.packs if arg is None or p.id == arg]
    if not packs:
        known = ", ".join(p.id for p in catalog.packs)
        print(f"No pack matches '{arg}'. Packs: {known}", file=sys.stderr)
        return EXIT_PROBLEMS
    return [summit_embed(catalog, pack, lang) for pack in packs]


def _preview(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    catalog = load_catalog_for(settings, args.content, drafts=args.drafts)
    if not catalog.packs:
        print("No content packs to preview.", file=sys.stderr)
        return EXIT_PROBLEMS
    result = _preview_embeds(catalog, args)
    if isinstance(result, int):
        return result
    width = args.width or min(max(shutil.get_terminal_size((80, 24)).columns, MIN_WIDTH), 100)
    keep = Vocabulary(_vocabulary(catalog))
    print("\n".join(embed_to_text(embed, width, keep) for embed in result))
    return EXIT_OK


def _vocabulary(catalog: Catalog) -> set[str]:
    """Names and terms the preview never breaks across lines (唐杰, 可验证奖励强化学习)."""
    words: set[str] = set()
    names = [speaker.name for speaker in catalog.speakers.values()]
    names += [term.term for term in catalog.terms.values()]
    for name in names:
        # The pairs as the renderer writes them, too: 唐杰（Tang Jie）, Tang Jie (唐杰).
        words.update((name.zh, name.en, name_pair(name, "zh"), name_pair(name, "en")))
    for speaker in catalog.speakers.values():
        words.update(speaker.aliases)
    for term in catalog.terms.values():
        words.update(term.aliases)
    for topic in catalog.topics.values():
        words.update((topic.name.zh, topic.name.en))
    return words


MIN_WIDTH, MAX_WIDTH = 40, 200


def _width(value: str) -> int:
    """`--width`: a whole number of columns from MIN_WIDTH to MAX_WIDTH."""
    try:
        width = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of columns, got {value!r}") from None
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise argparse.ArgumentTypeError(
            f"must be from {MIN_WIDTH} to {MAX_WIDTH} columns, got {width}"
        )
    return width


# --- content verify -------------------------------------------------------------------------


def register_content(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("content", help="content tools")
    actions = parser.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="check every quote is verbatim in the source text",
        description=(
            "Check that every quote's Chinese text appears verbatim in the source text "
            "(ignoring whitespace, Unicode width and full/half-width punctuation)."
        ),
    )
    verify.add_argument("--source", type=Path, required=True, metavar="FILE", help="source text")
    verify.add_argument(
        "--pack",
        metavar="ID",
        help="verify only this pack's quotes (each summit has its own source article)",
    )
    _content_option(verify)
    verify.set_defaults(func=_verify)
    register_new(actions)


def _verify(args: argparse.Namespace) -> int:
    source: Path = args.source
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"summitbot: cannot read {source}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    settings = settings_from_args(args)
    # A draft is verified before it is finished: verbatim quotes are checked first.
    catalog = load_catalog_for(settings, args.content, drafts=True)
    if args.pack is not None:
        pack = catalog.pack(args.pack)
        if pack is None:
            known = ", ".join(p.id for p in catalog.packs)
            print(f"summitbot: no pack '{args.pack}'. Packs: {known}", file=sys.stderr)
            return EXIT_CONFIG
        catalog = Catalog([pack])
    offenders = verify_quotes(catalog, text)
    if not offenders:
        print(f"{len(catalog.quotes)} quotes verified against {source}")
        return EXIT_OK
    for quote in offenders:
        excerpt = truncate(" ".join(quote.text.zh.split()), 60)
        print(f"{quote.id} ({quote.speaker}): {excerpt}", file=sys.stderr)
    print(
        f"{len(offenders)} of {len(catalog.quotes)} quotes are not verbatim in {source}",
        file=sys.stderr,
    )
    return EXIT_PROBLEMS


# --- the command ----------------------------------------------------------------------------

#: Every subcommand's registrar, in help order. Append yours here.
SUBCOMMANDS: list[Registrar] = [
    register_check,
    register_preview,
    register_content,
    runner.register,
    register_db,
]


def build_parser(registrars: Sequence[Registrar] | None = None) -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="summitbot",
        description="A Discord bot that brings one AI summit into a team's server.",
    )
    parser.add_argument("--version", action="version", version=f"summitbot {__version__}")
    config_help = "config file (default: $SUMMITBOT_CONFIG, else built-in defaults)"
    parser.add_argument("--config", type=Path, metavar="PATH", help=config_help)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in SUBCOMMANDS if registrars is None else registrars:
        register(subparsers)
    # Accept --config after the subcommand too (`summitbot db status --config x.yaml`).
    _add_config_option(subparsers, config_help)
    return parser


def _add_config_option(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], help_text: str
) -> None:
    for sub in subparsers.choices.values():
        if not any("--config" in action.option_strings for action in sub._actions):
            sub.add_argument(
                "--config", type=Path, metavar="PATH", default=argparse.SUPPRESS, help=help_text
            )
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                _add_config_option(action, help_text)


def _utf8_safe(stream: TextIO) -> None:
    # A terminal without UTF-8 should get replacement marks, not a crash, for Chinese text.
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")


def main(argv: list[str] | None = None) -> int:
    """Run the `summitbot` command; returns the exit code."""
    _utf8_safe(sys.stdout)
    _utf8_safe(sys.stderr)
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "func", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_CONFIG
    try:
        return handler(args)
    except ConfigError as error:
        print(f"summitbot: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except ContentError as error:
        for issue in error.issues:
            print(issue, file=sys.stderr)
        count = len(error.issues)
        print(
            f"summitbot: {count} content problem{'s' if count != 1 else ''}; nothing was loaded.",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`summitbot preview quote | head`): not an error. Point stdout
        # at /dev/null so the interpreter's final flush doesn't complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
