"""The ``data.options`` tree (and ``resolved``) of a chat-input or autocomplete interaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .limits import INTEGER, NUMBER, STRING, SUB_COMMAND, SUB_COMMAND_GROUP
from .state import Channel, Command, Member, Role

JSON = dict[str, Any]

BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
MENTIONABLE = 9
ATTACHMENT = 11


def split_command_name(name: str) -> list[str]:
    """``"digest set"`` -> ``["digest", "set"]``."""
    parts = name.split()
    if not parts:
        raise ValueError("empty command name")
    return parts


def build_options(
    command: Command,
    path: list[str],
    values: Mapping[str, object],
    *,
    focused: str | None,
    resolve: Callable[[int, object], tuple[str, JSON]],
) -> tuple[list[JSON], JSON]:
    """The ``data.options`` tree (and ``resolved``) for a call of ``command``.

    ``path`` is the command name followed by a subcommand group and/or subcommand. Values
    are checked the way Discord's client checks them: unknown option names, missing
    required options, and a value outside an option's fixed choices are test mistakes
    and raise ``ValueError``.
    """
    defs: list[JSON] = command.payload.get("options") or []
    wrappers: list[JSON] = []
    for name in path[1:]:
        opt = next((o for o in defs if o["name"] == name), None)
        if opt is None or opt.get("type") not in (SUB_COMMAND, SUB_COMMAND_GROUP):
            raise ValueError(f"/{command.name} has no subcommand {name!r}")
        wrappers.append({"type": opt["type"], "name": name, "options": []})
        defs = opt.get("options") or []
    if any(o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in defs):
        raise ValueError(f"/{' '.join(path)} needs a subcommand")
    resolved: JSON = {}
    leaves: list[JSON] = []
    for key, raw in values.items():
        opt = next((o for o in defs if o["name"] == key), None)
        if opt is None:
            raise ValueError(f"/{' '.join(path)} has no option {key!r}")
        otype = int(opt["type"])
        entry: JSON = {"type": otype, "name": key}
        if key == focused:
            entry["value"] = str(raw)
            entry["focused"] = True
        elif otype in (USER, CHANNEL, ROLE, MENTIONABLE, ATTACHMENT):
            kind, obj = resolve(otype, raw)
            entry["value"] = obj["id"]
            for bucket, payload in _resolved_entries(kind, obj).items():
                resolved.setdefault(bucket, {}).update(payload)
        else:
            entry["value"] = _coerce(otype, raw, key)
            choices = opt.get("choices")
            if choices and entry["value"] not in [c["value"] for c in choices]:
                raise ValueError(f"{entry['value']!r} is not one of {key!r}'s choices")
        leaves.append(entry)
    if focused is not None and focused not in values:
        raise ValueError(f"focused option {focused!r} has no value")
    # While autocompleting, the user may not have filled the required options yet.
    missing = [o["name"] for o in defs if o.get("required") and o["name"] not in values]
    if missing and focused is None:
        raise ValueError(f"/{' '.join(path)} is missing required options {missing}")
    tree = leaves
    for wrapper in reversed(wrappers):
        wrapper["options"] = tree
        tree = [wrapper]
    return tree, resolved


def _resolved_entries(kind: str, obj: JSON) -> dict[str, JSON]:
    oid = obj["id"]
    if kind == "member":
        member = dict(obj["member"])
        return {"users": {oid: obj["user"]}, "members": {oid: member}}
    return {kind: {oid: obj["data"]}}


def _coerce(otype: int, raw: object, key: str) -> object:
    if otype == STRING:
        return str(raw)
    if otype == INTEGER:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise ValueError(f"option {key!r} needs an integer")
        return int(raw)
    if otype == NUMBER:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ValueError(f"option {key!r} needs a number")
        return float(raw)
    if otype == BOOLEAN:
        if not isinstance(raw, bool):
            raise ValueError(f"option {key!r} needs a bool")
        return raw
    raise ValueError(f"option {key!r} has unsupported type {otype}")


def resolved_channel(channel: Channel, permissions: int) -> JSON:
    data = channel.to_json()
    data["permissions"] = str(permissions)
    return data


def resolved_member(member: Member, permissions: int) -> JSON:
    data = member.to_json(with_user=False)
    data["permissions"] = str(permissions)
    return data


def resolved_role(role: Role) -> JSON:
    return role.to_json()
