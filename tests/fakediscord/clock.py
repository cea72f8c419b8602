"""A clock the test can move forward: interaction deadlines and token lifetimes use it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class FakeClock:
    """Real time plus an offset the test controls with :meth:`advance`.

    Rate-limit windows stay on real time (the client sleeps on real time); the
    3-second first-response deadline and the 15-minute interaction token use this clock,
    so a test can expire them without sleeping.
    """

    def __init__(self) -> None:
        self._offset = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self._offset

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self._offset)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the fake clock only moves forward")
        self._offset += seconds

    @property
    def offset(self) -> float:
        return self._offset
