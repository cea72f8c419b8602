"""Content models: typed, frozen data loaded from a pack's YAML files.

Every model forbids unknown keys, so a typo in a pack is a validation error with its line.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


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
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    published: dt.date | dt.datetime


class Section(_Model):
    id: Slug
    title: Text
    summary: Text


class Event(_Model):
    id: Slug
    name: Text
    date: dt.date
    host: Text
    summary: Text
    source: Source
    sections: tuple[Section, ...] = Field(min_length=1)


class Speaker(_Model):
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
    topics: tuple[Slug, ...] = ()
    text: Text
    context: Text


class Term(_Model):
    id: Slug
    term: Text
    aliases: tuple[NonEmpty, ...] = ()
    definition: Text
    mentioned_by: tuple[Slug, ...] = ()
    related: tuple[Slug, ...] = ()
    topics: tuple[Slug, ...] = ()


class Topic(_Model):
    id: Slug
    name: Text


class Pack(_Model):
    """One summit's content: the folder `content/<id>/`."""

    id: Slug
    event: Event
    speakers: tuple[Speaker, ...]
    quotes: tuple[Quote, ...]
    terms: tuple[Term, ...]
    topics: tuple[Topic, ...]
