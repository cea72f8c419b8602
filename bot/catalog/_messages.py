"""Editor-facing wording of content problems: pydantic validation errors as short messages,
value types, field paths and "did you mean"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails
from rapidfuzz import process

from bot.yamlguard import echo

_SLUG_FIELDS = {"id", "speaker", "section", "topics", "mentioned_by", "related"}


def describe(value: Any) -> str:
    """How a YAML value's type reads to a content editor."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.datetime | dt.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def format_path(loc: Sequence[int | str]) -> str:
    """("points", 1, "en") → "points[1].en"."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def did_you_mean(value: str, choices: Sequence[str], cutoff: float = 60.0, quote: str = "'") -> str:
    """The closest choice as " (did you mean 'x'?)", or "" when nothing is close."""
    if not choices:
        return ""
    best = process.extractOne(value, list(choices), score_cutoff=cutoff)
    return "" if best is None else f" (did you mean {quote}{best[0]}{quote}?)"


def _fields_at(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The field names of the (sub)model at `loc`, for suggesting a fix to an unknown key."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        nested = [arg for arg in (annotation, *args) if isinstance(arg, type)]
        current = next((arg for arg in nested if issubclass(arg, BaseModel)), None)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def message(model: type[BaseModel], error: ErrorDetails) -> str:
    """One pydantic error as "path: what is wrong"."""
    loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    field = next((part for part in reversed(loc) if isinstance(part, str)), "")
    if kind == "missing":
        return _at(loc[:-1], f"missing `{echo(loc[-1])}`")
    if kind == "extra_forbidden":
        hint = did_you_mean(str(loc[-1]), _fields_at(model, loc[:-1]), quote="`")
        return _at(loc[:-1], f"unknown key `{echo(loc[-1])}`{hint}")
    path = format_path(loc)
    if kind == "string_pattern_mismatch":
        if field in _SLUG_FIELDS:
            hint = "use lowercase letters, digits and hyphens"
            return _at(loc, f"'{echo(value)}' is not a valid id ({hint})")
        if field == "url":
            return _at(loc, f"'{echo(value)}' is not an http(s) URL")
    if kind == "url":
        return _at(loc, f"'{echo(value)}' is not a usable link: {ctx.get('problem')}")
    if kind == "string_too_short":
        return _at(loc, "must not be empty")
    if kind == "string_too_long":
        return _at(loc, f"is longer than {ctx.get('max_length')} characters")
    if kind == "string_type":
        return _at(loc, f"expected text, got {describe(value)}")
    if kind in {"tuple_type", "list_type"}:
        return _at(loc, f"expected a list, got {describe(value)}")
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return _at(loc, f"expected a mapping, got {describe(value)}")
    if kind == "too_short":
        return _at(loc, f"needs at least {ctx.get('min_length')} item(s)")
    if kind == "literal_error":
        return _at(loc, f"must be {ctx.get('expected')}, got '{echo(value)}'")
    if kind.startswith(("date_", "datetime_")):
        return _at(loc, f"expected a date (YYYY-MM-DD), got '{echo(value)}'")
    return f"{path}: {error['msg']}" if path else error["msg"]


def _at(loc: Sequence[int | str], text: str) -> str:
    path = format_path(loc)
    return f"{path}: {text}" if path else text
