"""`summitbot content new`: write a draft pack from an article; and how `check` lists a draft's
remaining work. The drafting itself is Discord-free (`bot.drafting`)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TextIO

import yaml

from bot.catalog import ContentError
from bot.catalog.drafts import find_todos, group_todos
from bot.catalog.loader import PEOPLE_FILE
from bot.catalog.models import SLUG_PATTERN
from bot.config import load_settings
from bot.drafting import DraftError, make_draft, write_draft
from bot.exit_codes import EXIT_CONFIG, EXIT_OK
from bot.yamlguard import UnsafeYaml
from bot.yamllines import load_yaml

_SLUG = re.compile(SLUG_PATTERN)


def register_new(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `content new` to the `content` command's actions."""
    parser = actions.add_parser(
        "new",
        help="write a draft pack from an article",
        description=(
            "Write a draft content pack from a plain-text article: its quoted statements with "
            "the speakers they are attributed to, speakers with their roles, sections, glossary "
            "candidates and the event's header. English texts, summaries and unsure "
            "attributions are left as TODO(...) markers; `summitbot check` lists them."
        ),
    )
    parser.add_argument("source", type=Path, metavar="SOURCE", help="the article, UTF-8 text")
    parser.add_argument("--id", required=True, dest="pack_id", metavar="PACK_ID", help="pack id")
    parser.add_argument("--url", metavar="URL", help="the article's link (default: found in it)")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder to write PACK_ID/ into (default: content.path from the config)",
    )
    parser.set_defaults(func=_new)


def _new(args: argparse.Namespace) -> int:
    if not _SLUG.match(args.pack_id) or len(args.pack_id) > 64:
        print(
            f"summitbot: --id must be a slug like agi-next-2026, got {args.pack_id!r}",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    source: Path = args.source
    try:
        article = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"summitbot: cannot read {source}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    out: Path = (
        args.out
        if args.out is not None
        else load_settings(getattr(args, "config", None)).content.path
    )
    folder = out / args.pack_id
    if folder.exists():
        print(f"summitbot: {folder} already exists; choose another --id or --out", file=sys.stderr)
        return EXIT_CONFIG
    try:
        draft = make_draft(article, args.pack_id, args.url)
    except DraftError as exc:
        print(f"summitbot: {source}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    write_draft(draft, folder, source.name, registry_names(out / PEOPLE_FILE))
    unsure = sum(1 for quote in draft.quotes if quote.speaker == "unknown")
    print(
        f"Draft written to {folder}: {len(draft.quotes)} quotes, {len(draft.speakers)} speakers, "
        f"{len(draft.sections)} sections, {len(draft.terms)} glossary candidates"
        + (f" ({unsure} quotes without a speaker)" if unsure else "")
    )
    print(f"Next: edit it, `summitbot check --content {out}` lists what is left.")
    return EXIT_OK


def print_remaining_work(error: ContentError, stream: TextIO) -> None:
    """A refused draft: every other problem, then its TODO markers grouped by what to do."""
    for issue in error.issues:
        if issue.todo is None:
            print(issue, file=stream)
    folders = sorted({issue.file.parent for issue in error.issues if issue.todo is not None})
    for folder in folders:
        print(f"{folder.name}: left to do before the pack can be served:", file=stream)
        for group in group_todos(find_todos(folder)):
            print(f"  {group.heading}:", file=stream)
            for todo in group.todos:
                hint = f": {todo.hint}" if todo.hint else ""
                print(f"    {todo.file}:{todo.line}{hint}", file=stream)
    total = len(folders)
    print(
        f"summitbot: {total} pack{'s' if total != 1 else ''} not finished; nothing was loaded "
        "(`summitbot check --drafts` accepts drafts for previewing).",
        file=stream,
    )


def registry_names(file: Path) -> dict[str, str]:
    """Chinese and English names and aliases of the speaker registry's people → their ids
    (empty when there is no registry or it cannot be read: `check` reports that)."""
    try:
        data, _duplicates = load_yaml(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError, UnsafeYaml):
        return {}
    people = data.get("people") if isinstance(data, dict) else None
    names: dict[str, str] = {}
    for entry in people if isinstance(people, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            continue
        name = entry.get("name")
        forms = list(name.values()) if isinstance(name, dict) else []
        aliases = entry.get("aliases")
        forms += aliases if isinstance(aliases, list) else []
        for form in forms:
            if isinstance(form, str) and form.strip():
                names.setdefault(form.strip(), entry["id"])
    return names
