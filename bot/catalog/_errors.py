"""`ContentError` and the content problems it lists, each pinned to a file and line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ContentIssue:
    """One problem in a content pack. Line 0 means the whole file (e.g. it is missing).

    Printed as `file:line: message`, or `file: message` for line 0. `todo` is the label of a
    draft's TODO marker (`translate quote`), None for every other problem.
    """

    file: Path
    line: int
    message: str
    todo: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.message}"


class ContentError(Exception):
    """Content failed validation; `issues` lists every problem, sorted by file and line."""

    def __init__(self, issues: Iterable[ContentIssue]) -> None:
        self.issues: tuple[ContentIssue, ...] = tuple(
            sorted(issues, key=lambda issue: (str(issue.file), issue.line))
        )
        count = len(self.issues)
        lines = "\n".join(str(issue) for issue in self.issues)
        super().__init__(f"{count} content problem{'s' if count != 1 else ''}:\n{lines}")

    def __reduce__(self) -> tuple[type[ContentError], tuple[tuple[ContentIssue, ...]]]:
        # The default rebuilds from the message text; rebuild from the issues instead, so the
        # error of a catalog built in another process arrives with every file:line intact.
        return (type(self), (self.issues,))
