""" "Who said it?" rounds, answers and scores.

A round is a row; its buttons carry the round id, so it stays answerable forever. An answer
and the score it changes are written in one transaction, and ``(round_id, user_id)`` is the
answers' key, so a second press (or two presses racing) never counts twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.store._base import StoreBase, StoreConnection, iso, parse_ts
from bot.store._models import AnswerOutcome, Round, Score

__all__ = ["OUTSIDE_GUILDS", "WhoSaidQueries"]

#: The scope of rounds played outside any guild (DMs, group DMs): a personal total.
OUTSIDE_GUILDS = 0

_ROUND_COLUMNS = "id, guild_id, channel_id, message_id, quote_id, local_date, created_at"
_SCORE_COLUMNS = "scope_id, user_id, answers, correct, streak, best_streak"


def _round(row: sqlite3.Row) -> Round:
    return Round(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        quote_id=row["quote_id"],
        local_date=date.fromisoformat(row["local_date"]) if row["local_date"] else None,
        created_at=parse_ts(row["created_at"]),
    )


async def _round_where(c: StoreConnection, where: str, params: Sequence[Any]) -> Round | None:
    """The round the SQL ``where`` clause finds, if any."""
    row = await c._fetchone(f"SELECT {_ROUND_COLUMNS} FROM whosaid_rounds WHERE {where}", params)
    return _round(row) if row is not None else None


def _score(row: sqlite3.Row) -> Score:
    return Score(
        scope_id=row["scope_id"],
        user_id=row["user_id"],
        answers=row["answers"],
        correct=row["correct"],
        streak=row["streak"],
        best_streak=row["best_streak"],
    )


class WhoSaidQueries(StoreBase):
    """Rounds (create, find, attach their message), answers and scores."""

    async def create_round(
        self,
        *,
        guild_id: int | None,
        channel_id: int | None,
        quote_id: str,
        local_date: date | None = None,
        conn: StoreConnection | None = None,
    ) -> Round:
        """A new round; a daily round (``local_date`` given) is created once per guild and
        date: asking again returns the existing one (a retried post reuses its round)."""
        scope = guild_id or 0
        day = local_date.isoformat() if local_date is not None else None
        async with self._use(conn, write=True) as c:
            if day is not None:
                existing = await _round_where(c, "guild_id = ? AND local_date = ?", (scope, day))
                if existing is not None:
                    return existing
            row = await c._fetchone(
                "INSERT INTO whosaid_rounds (guild_id, channel_id, quote_id, local_date, "
                f"created_at) VALUES (?, ?, ?, ?, ?) RETURNING {_ROUND_COLUMNS}",
                (scope, channel_id, quote_id, day, iso(self._clock())),
            )
        assert row is not None
        return _round(row)

    async def get_round(
        self, round_id: int, *, conn: StoreConnection | None = None
    ) -> Round | None:
        async with self._use(conn, write=False) as c:
            return await _round_where(c, "id = ?", (round_id,))

    async def set_round_message(
        self,
        round_id: int,
        *,
        channel_id: int,
        message_id: int,
        conn: StoreConnection | None = None,
    ) -> None:
        """Remember where the round was posted (its answer counter is edited there)."""
        async with self._use(conn, write=True) as c:
            await c._execute(
                "UPDATE whosaid_rounds SET channel_id = ?, message_id = ? WHERE id = ?",
                (channel_id, message_id, round_id),
            )

    async def repick_round(
        self, round_id: int, quote_id: str, *, conn: StoreConnection | None = None
    ) -> Round | None:
        """Give a round that was never posted (no message recorded) another quote, as a date
        sent afresh after a failure or a crash does; a posted round keeps its quote. Returns
        the round as it now is."""
        async with self._use(conn, write=True) as c:
            await c._execute(
                "UPDATE whosaid_rounds SET quote_id = ? WHERE id = ? AND message_id IS NULL",
                (quote_id, round_id),
            )
            return await _round_where(c, "id = ?", (round_id,))

    async def daily_round(
        self, guild_id: int, day: date, *, conn: StoreConnection | None = None
    ) -> Round | None:
        """The guild's daily round of ``day``, if that date's post was (to be) a round."""
        async with self._use(conn, write=False) as c:
            return await _round_where(
                c, "guild_id = ? AND local_date = ?", (guild_id, day.isoformat())
            )

    async def daily_round_before(
        self, guild_id: int, day: date, *, conn: StoreConnection | None = None
    ) -> Round | None:
        """The guild's latest daily round of a date before ``day`` that was posted."""
        async with self._use(conn, write=False) as c:
            return await _round_where(
                c,
                "guild_id = ? AND local_date < ? AND message_id IS NOT NULL "
                "ORDER BY local_date DESC LIMIT 1",
                (guild_id, day.isoformat()),
            )

    async def record_answer(
        self,
        round_: Round,
        user_id: int,
        speaker_id: str,
        *,
        correct: bool,
        conn: StoreConnection | None = None,
    ) -> AnswerOutcome:
        """Record ``user_id``'s answer to the round and update their score in the round's
        scope, unless they already answered it (then nothing changes)."""
        now = iso(self._clock())
        scope = round_.guild_id
        async with self._use(conn, write=True) as c:
            inserted = await c._execute(
                "INSERT INTO whosaid_answers (round_id, user_id, speaker_id, correct, "
                "answered_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (round_.id, user_id, speaker_id, int(correct), now),
            )
            if inserted:
                await c._execute(
                    """
                    INSERT INTO whosaid_scores
                        (scope_id, user_id, answers, correct, streak, best_streak, updated_at)
                    VALUES (?, ?, 1, ?, ?, ?, ?)
                    ON CONFLICT (scope_id, user_id) DO UPDATE SET
                        answers = answers + 1,
                        correct = correct + excluded.correct,
                        streak = CASE WHEN excluded.correct = 1 THEN streak + 1 ELSE 0 END,
                        best_streak = max(
                            best_streak,
                            CASE WHEN excluded.correct = 1 THEN streak + 1 ELSE 0 END),
                        updated_at = excluded.updated_at
                    """,
                    (scope, user_id, int(correct), int(correct), int(correct), now),
                )
            answer = await c._fetchone(
                "SELECT speaker_id, correct FROM whosaid_answers "
                "WHERE round_id = ? AND user_id = ?",
                (round_.id, user_id),
            )
            score = await c._fetchone(
                f"SELECT {_SCORE_COLUMNS} FROM whosaid_scores WHERE scope_id = ? AND user_id = ?",
                (scope, user_id),
            )
            count = await c._fetchone(
                "SELECT count(*) FROM whosaid_answers WHERE round_id = ?", (round_.id,)
            )
        assert answer is not None
        assert score is not None
        assert count is not None
        return AnswerOutcome(
            first=bool(inserted),
            correct=bool(answer["correct"]),
            speaker_id=answer["speaker_id"],
            score=_score(score),
            answers=int(count[0]),
        )

    async def round_answer_count(
        self, round_id: int, *, conn: StoreConnection | None = None
    ) -> int:
        async with self._use(conn, write=False) as c:
            row = await c._fetchone(
                "SELECT count(*) FROM whosaid_answers WHERE round_id = ?", (round_id,)
            )
        return int(row[0]) if row is not None else 0

    async def score(
        self, scope_id: int, user_id: int, *, conn: StoreConnection | None = None
    ) -> Score:
        """A person's score in a scope (zeros when they have never answered there)."""
        async with self._use(conn, write=False) as c:
            row = await c._fetchone(
                f"SELECT {_SCORE_COLUMNS} FROM whosaid_scores WHERE scope_id = ? AND user_id = ?",
                (scope_id, user_id),
            )
        return _score(row) if row is not None else Score(scope_id, user_id)

    async def top_scores(
        self, scope_id: int, *, limit: int = 10, conn: StoreConnection | None = None
    ) -> list[Score]:
        """The scope's best: most right answers, then best streak, then fewest answers."""
        async with self._use(conn, write=False) as c:
            rows = await c._fetchall(
                f"SELECT {_SCORE_COLUMNS} FROM whosaid_scores WHERE scope_id = ? "
                "ORDER BY correct DESC, best_streak DESC, answers ASC, user_id ASC LIMIT ?",
                (scope_id, limit),
            )
        return [_score(r) for r in rows]
