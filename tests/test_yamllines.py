"""bot/yamllines.py: the line of a location, as config and content-pack errors report it."""

from __future__ import annotations

from bot.yamllines import line_of, load_yaml

TEXT = """\
digest:
  default_time: '25:00'
discord:
  owner_ids:
    - 1
    - 2
"""


def test_the_line_of_a_key_or_its_value() -> None:
    data, duplicates = load_yaml(TEXT)
    assert duplicates == []
    assert line_of(data, ("digest", "default_time")) == 2
    assert line_of(data, ("digest", "default_time"), value=True) == 2
    # A block list under its key starts on the next line.
    assert line_of(data, ("discord", "owner_ids")) == 4
    assert line_of(data, ("discord", "owner_ids"), value=True) == 5
    assert line_of(data, ("discord", "owner_ids", 1)) == 6


def test_a_location_that_is_not_there_gets_its_deepest_existing_part() -> None:
    data, _ = load_yaml(TEXT)
    assert line_of(data, ("discord", "shard_ids")) == 3
    assert line_of(data, ("discord", "owner_ids", 7), value=True) == 4
    assert line_of(data, ("nothing",)) == 1
