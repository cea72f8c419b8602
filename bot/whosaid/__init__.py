""" "Who said it?": the Discord-free rules of the game.

- :mod:`.rounds`: which quotes make a fair round (:func:`~.rounds.gives_away`), the answer
  choices (the pack's speakers, in a stable order), the pool a topic narrows, and masking a
  speaker's names out of a quote's text.
"""

from bot.whosaid.rounds import (
    choices_for,
    giveaway_words,
    gives_away,
    mask_speaker,
    round_marker,
    round_pool,
)

__all__ = [
    "choices_for",
    "giveaway_words",
    "gives_away",
    "mask_speaker",
    "round_marker",
    "round_pool",
]
