"""What a "who said it?" round looks like: the quote with its speaker hidden, the answer
buttons, the answer counter, and the private answer a player gets.

Used by ``/whosaid play`` and by the daily post in ``whosaid`` mode
(:func:`bot.exts.digest._sender.digest_message`).
"""

from __future__ import annotations

import random

import discord

from bot.catalog import Catalog
from bot.catalog.models import Lang, Quote, Speaker
from bot.i18n import t
from bot.render import source_credit
from bot.store import AnswerOutcome, Score
from bot.ui.limits import FIELD_VALUE, truncate
from bot.ui.text import escape_markdown
from bot.whosaid import choices_for, mask_speaker, round_marker

__all__ = [
    "COUNTER_FIELD",
    "MAX_CHOICES",
    "ROUND_COLOUR",
    "answer_text",
    "round_choices",
    "round_embed",
    "score_line",
    "with_count",
]

ROUND_COLOUR = discord.Colour(0x8338EC)

#: The answer counter is the embed's first field (edited in place as people answer).
COUNTER_FIELD = 0

#: Answer buttons of one round: four rows of five, leaving a row for the post's own buttons.
MAX_CHOICES = 20

#: A quote longer than this (per language) is cut in a round.
_QUOTE_ROOM = 1500


def _block(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.split("\n"))


def round_choices(catalog: Catalog, quote: Quote) -> tuple[Speaker, ...]:
    """The speakers offered as answers, in the pack's order; a pack with more than
    :data:`MAX_CHOICES` speakers offers the right one and others picked by the quote id."""
    speakers = choices_for(catalog, quote)
    if len(speakers) <= MAX_CHOICES:
        return speakers
    others = [s for s in speakers if s.id != quote.speaker]
    chosen = {quote.speaker, *(s.id for s in random.Random(quote.id).sample(others, 19))}
    return tuple(s for s in speakers if s.id in chosen)


def round_embed(
    catalog: Catalog,
    quote: Quote,
    lang: Lang,
    *,
    answers: int = 0,
    daily: bool = False,
    reveal: Quote | None = None,
) -> discord.Embed:
    """The round: the quote in Chinese and English with every form of its speaker's name
    masked, and no speaker, section or context (they would give the answer away)."""
    speaker = catalog.speakers[quote.speaker]
    zh = truncate(mask_speaker(quote.text.zh, speaker), _QUOTE_ROOM)
    en = truncate(mask_speaker(quote.text.en, speaker), _QUOTE_ROOM)
    description = (
        f"{_block(escape_markdown(zh))}\n\n{_block(escape_markdown(en))}\n\n"
        f"{t('whosaid.prompt', lang)}"
    )
    embed = discord.Embed(
        title=t("whosaid.daily_title" if daily else "whosaid.title", lang),
        colour=ROUND_COLOUR,
        description=description,
    )
    embed.add_field(name=t("whosaid.answers", lang), value=str(answers), inline=True)
    if quote.topics:
        names = [catalog.topics[topic].name.get(lang) for topic in quote.topics]
        embed.add_field(name=t("labels.topics", lang), value=escape_markdown(" · ".join(names)))
    if reveal is not None:
        revealed = catalog.speakers[reveal.speaker]
        value = t(
            "whosaid.reveal_value",
            lang,
            speaker=escape_markdown(revealed.name.get(lang)),
            quote=escape_markdown(truncate(reveal.text.get(lang), 300)),
        )
        embed.add_field(
            name=t("whosaid.reveal", lang), value=truncate(value, FIELD_VALUE), inline=False
        )
    event = catalog.event_for(quote)
    # The article's title names speakers: the credit links it under a neutral title.
    source = event.source.model_copy(update={"title": t("whosaid.source_title", lang)})
    embed.add_field(name=t("labels.source", lang), value=source_credit(source), inline=False)
    embed.set_footer(
        text=t("whosaid.footer", lang, event=event.name.get(lang), marker=round_marker(quote.id))
    )
    return embed


def with_count(embed: discord.Embed, answers: int) -> discord.Embed:
    """A copy of a round's embed with its answer counter set to ``answers``."""
    copy = embed.copy()
    if len(copy.fields) > COUNTER_FIELD:
        field = copy.fields[COUNTER_FIELD]
        copy.set_field_at(
            COUNTER_FIELD, name=field.name or "#", value=str(answers), inline=bool(field.inline)
        )
    return copy


def score_line(score: Score, lang: Lang) -> str:
    return t(
        "whosaid.score",
        lang,
        correct=score.correct,
        answers=score.answers,
        streak=score.streak,
        best=score.best_streak,
    )


def answer_text(
    catalog: Catalog, quote: Quote, picked: Speaker, outcome: AnswerOutcome, lang: Lang
) -> str:
    """The private answer to a press: right or wrong (or already answered), who said it, and
    the player's score and streak."""
    speaker = escape_markdown(catalog.speakers[quote.speaker].name.get(lang))
    if not outcome.first:
        head = t("whosaid.already", lang, speaker=speaker)
    elif outcome.correct:
        head = t("whosaid.right", lang, speaker=speaker)
    else:
        head = t(
            "whosaid.wrong", lang, speaker=speaker, picked=escape_markdown(picked.name.get(lang))
        )
    return f"{head}\n{score_line(outcome.score, lang)}"
