"""Write a draft in the pack format, with `draft: true` and TODO markers for the editor."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path

from bot.drafting._attribute import CONFIRM_BELOW
from bot.drafting._draft import UNKNOWN, Draft, DraftQuote, DraftSpeaker
from bot.drafting._terms import Candidate


def _s(text: str) -> str:
    """A YAML scalar: JSON strings are valid double-quoted YAML, escapes included."""
    return json.dumps(text, ensure_ascii=False)


def _pair(indent: str, zh: str, en: str) -> list[str]:
    return [f"{indent}zh: {_s(zh)}", f"{indent}en: {_s(en)}"]


def write_draft(
    draft: Draft, folder: Path, source_name: str, people: Mapping[str, str] | None = None
) -> list[Path]:
    """Write the five pack files into `folder` (created; must not exist). Returns the files.

    `people` maps names of the speaker registry (`people.yaml` beside the packs) to their
    ids: a speaker the article names so is written as that registry person (id only, to
    confirm), and their quotes refer to the registry id."""
    folder.mkdir(parents=True)
    known = {
        speaker.id: people[speaker.name]
        for speaker in draft.speakers
        if people and speaker.name in people
    }
    if known:
        draft = dataclasses.replace(
            draft,
            speakers=tuple(
                dataclasses.replace(s, id=known.get(s.id, s.id)) for s in draft.speakers
            ),
            quotes=tuple(
                dataclasses.replace(q, speaker=known.get(q.speaker, q.speaker))
                for q in draft.quotes
            ),
        )
    files = {
        "event.yaml": _event(draft, source_name),
        "speakers.yaml": _speakers(draft, set(known.values())),
        "quotes.yaml": _quotes(draft),
        "glossary.yaml": _glossary(draft.terms),
        "topics.yaml": [
            "# Topics: add the ones quotes and terms should be tagged with.",
            "topics: []",
        ],
    }
    written: list[Path] = []
    for name, lines in files.items():
        path = folder / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written


def _original_and_other(draft: Draft, original: str | None, what: str) -> tuple[str, str]:
    """(zh, en) for a text found in the article: the other language is left to translate."""
    if original is None:
        return f"TODO(write {what})", f"TODO(write {what})"
    if draft.english:
        return f"TODO(translate {what})", original
    return original, f"TODO(translate {what})"


def _event(draft: Draft, source_name: str) -> list[str]:
    event = draft.event
    name_zh, name_en = _original_and_other(draft, event.name, "name")
    host_zh, host_en = _original_and_other(draft, event.host, "host")
    date_note = f"  # TODO(confirm date): {event.date_inferred}" if event.date_inferred else ""
    lines = [
        f"# Draft written by `summitbot content new` from {source_name}.",
        "# Do every TODO(...) (`summitbot check` lists them), then remove `draft: true`.",
        f"id: {draft.pack_id}",
        "draft: true",
        "name:",
        *_pair("  ", name_zh, name_en),
        f"date: {event.date.isoformat()}{date_note}",
        "host:",
        *_pair("  ", host_zh, host_en),
        "summary:",
        *_pair("  ", "TODO(write summary)", "TODO(write summary)"),
        "source:",
        f"  title: {_s(event.title or 'TODO(write source)')}",
        f"  author: {_s(event.author or 'TODO(write source)')}",
        f"  publisher: {_s(event.publisher)}  # TODO(confirm source): the publisher's name",
        f"  url: {_s(event.url)}",
        f"  published: {(event.published or event.date).isoformat()}",
        "sections:",
    ]
    for section in draft.sections:
        title_zh, title_en = _original_and_other(draft, section.title, "title")
        lines += [
            f"  - id: {section.id}",
            "    title:",
            *_pair("      ", title_zh, title_en),
            "    summary:",
            *_pair("      ", "TODO(write summary)", "TODO(write summary)"),
        ]
    return lines


def _speakers(draft: Draft, registered: set[str]) -> list[str]:
    lines = [
        "# Speakers as the article names them; roles are the article's appositions.",
        "speakers:",
    ]
    for speaker in draft.speakers:
        if speaker.id in registered:  # a person of people.yaml: name and aliases are there
            hint = f"{speaker.name} is the registry's `{speaker.id}` (people.yaml)"
            lines += [f"  - id: {speaker.id}  # TODO(confirm speaker): {hint}"]
        else:
            lines += [f"  - id: {speaker.id}  # TODO(confirm speaker): {_speaker_hint(speaker)}"]
            lines += ["    name:", *_pair("      ", *_names(draft, speaker)), "    aliases: []"]
        role = "、".join(speaker.roles) if not draft.english else "; ".join(speaker.roles)
        lines += ["    role:", *_pair("      ", *_original_and_other(draft, role or None, "role"))]
        lines += ["    summary:", *_pair("      ", "TODO(write summary)", "TODO(write summary)")]
    return lines


def _speaker_hint(speaker: DraftSpeaker) -> str:
    if speaker.id == UNKNOWN:
        return "quotes nobody in the article could be attributed to"
    if speaker.proposed_name:
        proposed = f"{speaker.name} → {speaker.proposed_name} (pinyin proposed)"
        return f"{proposed}, role as the article gives it"
    return f"{speaker.name}, role as the article gives it"


def _names(draft: Draft, speaker: DraftSpeaker) -> tuple[str, str]:
    if speaker.id == UNKNOWN:
        return "TODO(write speaker)", "TODO(write speaker)"
    if draft.english:
        return "TODO(translate speaker)", speaker.name
    return speaker.name, speaker.proposed_name or "TODO(translate speaker)"


def _quotes(draft: Draft) -> list[str]:
    lines = [
        "# Quotes in article order, verbatim. `speaker` comments give how each was attributed.",
        "quotes:",
    ]
    for quote in draft.quotes:
        english = quote.text if draft.english else "TODO(translate quote)"
        lines += [
            f"  - id: {quote.id}",
            f"    speaker: {quote.speaker}  # {_attribution_note(quote)}",
            f"    section: {quote.section}",
            "    topics: []",
            f"    text:  # article line {quote.line}",
            *_pair("      ", quote.text, english),
            "    context:",
            *_pair("      ", "TODO(write context)", "TODO(write context)"),
        ]
    return lines


def _attribution_note(quote: DraftQuote) -> str:
    note = f"{quote.confidence:.2f}, {quote.how}"
    if quote.confidence < CONFIRM_BELOW:
        return f"TODO(confirm attribution): {note}"
    return f"confidence {note}"


def _term_en(term: Candidate) -> str:
    """A Chinese-only term's English is to write; the marker names it so surfaces stay unique."""
    if term.en == term.zh and not term.en.isascii():
        return f"TODO(translate term): {term.zh}"
    return term.en


def _glossary(terms: tuple[Candidate, ...]) -> list[str]:
    lines = [
        "# Glossary CANDIDATES: keep the terms a reader may not know, delete the rest,",
        "# and write a definition for each one kept.",
        "terms:" if terms else "terms: []",
    ]
    for term in terms:
        lines += [f"  # {use}" for use in term.uses]
        lines += [
            f"  - id: {term.id}",
            f"    term: {{zh: {_s(term.zh)}, en: {_s(_term_en(term))}}}",
            "    definition:",
            *_pair("      ", "TODO(write definition)", "TODO(write definition)"),
        ]
    return lines
