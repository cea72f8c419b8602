"""People in an English report: names next to speech verbs, and their appositive roles."""

from __future__ import annotations

import re

_NAME = r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}"
_VERB = r"(?:said|says|added|argued|noted|explained|told|warned|recalled|insisted|admitted)"
_NAMED = (
    re.compile(rf"\b{_VERB}\s+({_NAME})"),
    re.compile(rf"({_NAME})\s+{_VERB}\b"),
    re.compile(rf"\baccording to\s+({_NAME})"),
    re.compile(rf"({_NAME}),\s+(?:the\s+)?[a-z][\w-]*(?:\s+[\w-]+){{0,4}}\s+(?:at|of)\s+[A-Z]"),
)
# "Maria Lopez, chief scientist at Helix Labs," — lowercase start or an at/of phrase.
_ROLE_AFTER = (
    r",\s+((?:the\s+)?(?:[a-z][\w-]*|[A-Z]{2,})(?:[\s-][\w.&-]+){0,8}?)(?=[,.;]|\s+said\b)"
)


def find_names(texts: list[str]) -> list[str]:
    """Full names seen beside a speech verb, in order of first appearance."""
    joined = "\n".join(texts)
    names: dict[str, int] = {}
    for pattern in _NAMED:
        for match in pattern.finditer(joined):
            names.setdefault(match.group(1), match.start(1))
    return sorted(names, key=names.__getitem__)


def surnames(names: list[str]) -> dict[str, str]:
    """Last name → full name, for names whose last name is not shared."""
    last: dict[str, list[str]] = {}
    for name in names:
        last.setdefault(name.split()[-1], []).append(name)
    return {surname: full[0] for surname, full in last.items() if len(full) == 1}


def roles(texts: list[str], name: str) -> list[str]:
    """The roles given in apposition after the name ("Maria Lopez, chief scientist at …,")."""
    found: list[str] = []
    pattern = re.compile(re.escape(name) + _ROLE_AFTER)
    for text in texts:
        for match in pattern.finditer(text):
            role = match.group(1).strip()
            if role.startswith("the "):
                role = role[4:]
            if role and role not in found and not role.startswith(("who ", "which ", "and ")):
                found.append(role)
    return found
