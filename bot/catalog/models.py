"""Content models: typed, frozen data loaded from a pack's YAML files.

Every model forbids unknown keys, so a typo in a pack is a validation error with its line.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

#: An id: lowercase words of letters and digits joined by single hyphens.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=64)]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
#: A reference to an entry: its id within the same pack, or `other-pack/id` for another pack's.
REF_PATTERN = r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*/)?[a-z0-9]+(?:-[a-z0-9]+)*$"
Ref = Annotated[str, StringConstraints(pattern=REF_PATTERN, max_length=129)]
#: What separates the pack from the id in a qualified key (`agi-next-2026/rlvr`).
KEY_SEPARATOR = "/"


def qualify(pack_id: str, ref: str) -> str:
    """The catalog key of `ref` as written in pack `pack_id` (explicit `pack/id` kept)."""
    return ref if KEY_SEPARATOR in ref else f"{pack_id}{KEY_SEPARATOR}{ref}"


def bare_id(key: str) -> str:
    """The id part of a key: `rlvr` for `agi-next-2026/rlvr` (a bare id is returned as is)."""
    return key.rpartition(KEY_SEPARATOR)[2]


URL_LIMIT = 500
# Characters that end or open Markdown links (`)[Verify](https://evil…`), wrap autolinks or
# escape: none belongs in a URL we show as a masked link (percent-encode them instead).
_URL_FORBIDDEN = frozenset('()[]<>\\`"{}|^')
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")


def url_problem(url: str) -> str | None:
    """Why `url` is not a safe http(s) link for an embed, or None when it is."""
    if len(url) > URL_LIMIT:
        return f"longer than {URL_LIMIT} characters"
    for ch in url:
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp"):
            return "contains whitespace or an invisible control character"
        if ch in _URL_FORBIDDEN:
            return f"contains `{ch}` (percent-encode it)"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a well-formed URL"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not url.lower().startswith(f"{scheme}://"):
        return "must start with http:// or https://"
    if "@" in parts.netloc:
        return "must not contain a user name or password (`user@`)"
    host = parts.hostname or ""
    labels = host.split(".")
    if (
        not set(host) <= _HOST_CHARS
        or "." not in host
        or not all(labels)
        or any(label.startswith("-") or label.endswith("-") for label in labels)
    ):
        return "needs a host name like example.org (punycode for non-ASCII names)"
    if port == 0:
        return "has an invalid port"
    return None


def _check_url(value: str) -> str:
    problem = url_problem(value)
    if problem is not None:
        raise PydanticCustomError("url", "{problem}", {"problem": problem})
    return value


#: An http(s) link safe to show as a Markdown masked link (see `url_problem`).
Url = Annotated[str, AfterValidator(_check_url)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Text(_Model):
    """A string in both languages."""

    zh: NonEmpty
    en: NonEmpty

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


class Source(_Model):
    title: NonEmpty
    author: NonEmpty
    publisher: NonEmpty
    url: Url
    published: dt.date | dt.datetime


class Section(_Model):
    id: Slug
    title: Text
    summary: Text


class Event(_Model):
    id: Slug
    #: A draft from `summitbot content new`: refused unless drafts are allowed (`check --drafts`).
    draft: bool = False
    name: Text
    date: dt.date
    host: Text
    summary: Text
    source: Source
    sections: tuple[Section, ...] = Field(min_length=1)


class Person(_Model):
    """One person in the shared registry `people.yaml` at the content root: who they are,
    whichever summits they spoke at. Packs refer to them by id and give a per-pack role."""

    id: Slug
    name: Text
    #: The romanization of the Chinese name (e.g. "Tang Jie"); found by lookups like an alias.
    pinyin: NonEmpty | None = None
    aliases: tuple[NonEmpty, ...] = ()


class SpeakerEntry(_Model):
    """A pack's `speakers.yaml` entry: a registry person (`id` only) or, for a person in no
    registry, the name and aliases too; then the role and words of this summit."""

    id: Slug
    name: Text | None = None
    aliases: tuple[NonEmpty, ...] = ()
    role: Text
    attendance: Literal["in-person", "remote"] | None = None
    summary: Text
    points: tuple[Text, ...] = ()


class Speaker(_Model):
    """A speaker as one pack presents them: the person's name and aliases (from the registry
    when they are in it) with the role, attendance, summary and points of that summit."""

    id: Slug
    name: Text
    aliases: tuple[NonEmpty, ...] = ()
    role: Text
    #: How the speaker took part, only when the source says so; None: not stated (not shown).
    attendance: Literal["in-person", "remote"] | None = None
    summary: Text
    points: tuple[Text, ...] = ()


class Quote(_Model):
    id: Slug
    speaker: Slug
    section: Slug
    topics: tuple[Ref, ...] = ()
    text: Text
    context: Text


class Term(_Model):
    id: Slug
    term: Text
    aliases: tuple[NonEmpty, ...] = ()
    definition: Text
    mentioned_by: tuple[Slug, ...] = ()
    related: tuple[Ref, ...] = ()
    topics: tuple[Ref, ...] = ()


class Topic(_Model):
    id: Slug
    name: Text


class Pack(_Model):
    """One summit's content: the folder `content/<id>/`.

    Quote, term and topic ids are unique within the pack. In a `Catalog` its quotes, terms and
    topics carry their catalog key as `id` (`pack/id` when another pack shares the id) and
    their references in the same form (`bot.catalog._qualified`)."""

    id: Slug
    event: Event
    speakers: tuple[Speaker, ...]
    quotes: tuple[Quote, ...]
    terms: tuple[Term, ...]
    topics: tuple[Topic, ...]
