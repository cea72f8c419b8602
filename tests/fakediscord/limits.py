"""Discord's documented limits that the OpenAPI spec does not encode (or encodes loosely).

Each checker returns a list of :class:`FieldError`; :func:`error_body` turns them into the
``{"code": 50035, "message": "Invalid Form Body", "errors": {...}}`` body Discord answers with.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]
Path = tuple[str | int, ...]

#: Discord's locales (the spec's AvailableLocalesEnum).
LOCALES = frozenset(
    {
        "ar", "bg", "cs", "da", "de", "el", "en-GB", "en-US", "es-419", "es-ES", "fi", "fr",
        "he", "hi", "hr", "hu", "id", "it", "ja", "ko", "lt", "nl", "no", "pl", "pt-BR", "ro",
        "ru", "sv-SE", "th", "tr", "uk", "vi", "zh-CN", "zh-TW",
    }
)  # fmt: skip

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_VALUE_MAX = 100
OPTIONS_MAX = 25
NAME_MAX = 32
DESCRIPTION_MAX = 100
COMMAND_TOTAL_CHARS_MAX = 4000
CHAT_INPUT_COMMANDS_MAX = 100
MENU_COMMANDS_MAX = 5
CUSTOM_ID_MAX = 100

# Component types and the button styles with no custom_id.
BUTTON = 2
LINK_STYLE = 5
PREMIUM_STYLE = 6

SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
NUMBER = 10

CHAT_INPUT = 1
USER_COMMAND = 2
MESSAGE_COMMAND = 3


@dataclass(frozen=True)
class FieldError:
    path: Path
    code: str
    message: str

    def __str__(self) -> str:
        where = ".".join(str(p) for p in self.path) or "<body>"
        return f"{where}: {self.message} ({self.code})"


def error_body(errors: Sequence[FieldError]) -> JSON:
    """Discord's nested error body for a rejected form."""
    tree: JSON = {}
    for err in errors:
        node = tree
        for part in err.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": err.code, "message": err.message})
    return {"code": 50035, "message": "Invalid Form Body", "errors": tree}


def _max_len(path: Path, value: object, limit: int) -> list[FieldError]:
    if isinstance(value, str) and len(value) > limit:
        return [FieldError(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")]
    return []


def _len_between(path: Path, value: object, low: int, high: int) -> list[FieldError]:
    if not isinstance(value, str) or not low <= len(value) <= high:
        return [
            FieldError(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")
        ]
    return []


# --- names -------------------------------------------------------------------------------


def _is_deva_or_thai(cp: int) -> bool:
    return (
        0x0900 <= cp <= 0x097F  # Devanagari
        or 0xA8E0 <= cp <= 0xA8FF  # Devanagari Extended
        or 0x11B00 <= cp <= 0x11B5F  # Devanagari Extended-A
        or 0x0E01 <= cp <= 0x0E3A  # Thai
        or 0x0E40 <= cp <= 0x0E5B
    )


def name_char_ok(ch: str) -> bool:
    """One character of ``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]$``."""
    if ch in "-_'":
        return True
    category = unicodedata.category(ch)
    return category[0] in ("L", "N") or _is_deva_or_thai(ord(ch))


def chat_input_name_errors(path: Path, name: object) -> list[FieldError]:
    """A CHAT_INPUT command or option name: the regex, 1-32 characters, lowercase."""
    if not isinstance(name, str) or not 1 <= len(name) <= NAME_MAX:
        return _len_between(path, name, 1, NAME_MAX)
    if not all(name_char_ok(ch) for ch in name):
        return [
            FieldError(
                path,
                "APPLICATION_COMMAND_INVALID_NAME",
                f"Command name is invalid: {name!r} must match "
                "^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$",
            )
        ]
    if name != name.lower():
        return [
            FieldError(
                path,
                "APPLICATION_COMMAND_INVALID_NAME",
                f"Command name is invalid: {name!r} must be lowercase",
            )
        ]
    return []


def _localization_errors(path: Path, value: object, check: Any) -> list[FieldError]:
    if value is None:
        return []
    if not isinstance(value, dict):
        return [
            FieldError(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        ]
    errors: list[FieldError] = []
    for locale, text in value.items():
        if locale not in LOCALES:
            errors.append(
                FieldError(
                    (*path, locale), "BASE_TYPE_CHOICES", f"Value {locale!r} is not a valid locale."
                )
            )
            continue
        errors.extend(check((*path, locale), text))
    return errors


# --- application commands ----------------------------------------------------------------


def command_list_errors(commands: object) -> list[FieldError]:
    """Check a bulk-overwrite body: every command, plus per-type counts and duplicate names."""
    if not isinstance(commands, list):
        return [FieldError((), "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")]
    errors: list[FieldError] = []
    seen: dict[tuple[int, str], int] = {}
    counts: dict[int, int] = {}
    for i, cmd in enumerate(commands):
        if not isinstance(cmd, dict):
            errors.append(FieldError((i,), "DICT_TYPE_CONVERT", "Only dictionaries allowed"))
            continue
        errors.extend(command_errors((i,), cmd))
        ctype = int(cmd.get("type") or CHAT_INPUT)
        counts[ctype] = counts.get(ctype, 0) + 1
        key = (ctype, str(cmd.get("name")))
        if key in seen:
            errors.append(
                FieldError(
                    (i, "name"),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique: {key[1]!r}",
                )
            )
        seen[key] = i
    if counts.get(CHAT_INPUT, 0) > CHAT_INPUT_COMMANDS_MAX:
        errors.append(
            FieldError((), "BASE_TYPE_MAX_LENGTH", "Maximum number of chat input commands (100)")
        )
    for menu in (USER_COMMAND, MESSAGE_COMMAND):
        if counts.get(menu, 0) > MENU_COMMANDS_MAX:
            errors.append(
                FieldError(
                    (), "BASE_TYPE_MAX_LENGTH", f"Maximum number of type {menu} commands (5)"
                )
            )
    return errors


def command_errors(path: Path, cmd: JSON) -> list[FieldError]:
    """One command object against Discord's name, description and option rules."""
    ctype = int(cmd.get("type") or CHAT_INPUT)
    errors: list[FieldError] = []
    name = cmd.get("name")
    description = cmd.get("description")
    if ctype == CHAT_INPUT:
        errors += chat_input_name_errors((*path, "name"), name)
        errors += _len_between((*path, "description"), description, 1, DESCRIPTION_MAX)
        errors += _localization_errors(
            (*path, "name_localizations"), cmd.get("name_localizations"), chat_input_name_errors
        )
        errors += _localization_errors(
            (*path, "description_localizations"),
            cmd.get("description_localizations"),
            lambda p, v: _len_between(p, v, 1, DESCRIPTION_MAX),
        )
        errors += _options_errors((*path, "options"), cmd.get("options"), depth=0)
        total = _command_chars(cmd)
        if total > COMMAND_TOTAL_CHARS_MAX:
            errors.append(
                FieldError(
                    path,
                    "APPLICATION_COMMAND_TOO_LARGE",
                    f"Command exceeds maximum size ({COMMAND_TOTAL_CHARS_MAX}): {total}",
                )
            )
    elif ctype in (USER_COMMAND, MESSAGE_COMMAND):
        errors += _len_between((*path, "name"), name, 1, NAME_MAX)
        if description not in (None, ""):
            errors.append(
                FieldError(
                    (*path, "description"),
                    "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                    "Context menu commands cannot have description",
                )
            )
        errors += _localization_errors(
            (*path, "name_localizations"),
            cmd.get("name_localizations"),
            lambda p, v: _len_between(p, v, 1, NAME_MAX),
        )
        if cmd.get("options"):
            errors.append(
                FieldError(
                    (*path, "options"),
                    "APPLICATION_COMMAND_OPTIONS_NOT_ALLOWED",
                    "Context menu commands cannot have options",
                )
            )
    else:
        errors.append(FieldError((*path, "type"), "BASE_TYPE_CHOICES", f"Unsupported type {ctype}"))
    return errors


def _options_errors(path: Path, options: object, *, depth: int) -> list[FieldError]:
    if options is None:
        return []
    if not isinstance(options, list):
        return [FieldError(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")]
    errors: list[FieldError] = []
    if len(options) > OPTIONS_MAX:
        errors.append(
            FieldError(path, "BASE_TYPE_MAX_LENGTH", f"Must be {OPTIONS_MAX} or fewer in length.")
        )
    names: set[str] = set()
    seen_optional = False
    kinds: set[bool] = set()
    for i, opt in enumerate(options):
        p = (*path, i)
        if not isinstance(opt, dict):
            errors.append(FieldError(p, "DICT_TYPE_CONVERT", "Only dictionaries allowed"))
            continue
        otype = opt.get("type")
        is_sub = otype in (SUB_COMMAND, SUB_COMMAND_GROUP)
        kinds.add(is_sub)
        errors += chat_input_name_errors((*p, "name"), opt.get("name"))
        errors += _len_between((*p, "description"), opt.get("description"), 1, DESCRIPTION_MAX)
        errors += _localization_errors(
            (*p, "name_localizations"), opt.get("name_localizations"), chat_input_name_errors
        )
        errors += _localization_errors(
            (*p, "description_localizations"),
            opt.get("description_localizations"),
            lambda pp, v: _len_between(pp, v, 1, DESCRIPTION_MAX),
        )
        name = str(opt.get("name"))
        if name in names:
            errors.append(
                FieldError(
                    (*p, "name"),
                    "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                    f"Option name {name!r} is already used in these options",
                )
            )
        names.add(name)
        if not is_sub:
            if opt.get("required"):
                if seen_optional:
                    errors.append(
                        FieldError(
                            (*p, "required"),
                            "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                            "Required options must be placed before non-required options",
                        )
                    )
            else:
                seen_optional = True
            errors += _choice_list_errors((*p, "choices"), opt.get("choices"), otype)
            if opt.get("choices") and opt.get("autocomplete"):
                errors.append(
                    FieldError(
                        (*p, "autocomplete"),
                        "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_CHOICES",
                        "Autocomplete cannot be set on an option with choices",
                    )
                )
        elif otype == SUB_COMMAND_GROUP:
            if depth != 0:
                errors.append(
                    FieldError((*p, "type"), "BASE_TYPE_CHOICES", "Groups can only be top-level")
                )
            sub = opt.get("options") or []
            if any(isinstance(s, dict) and s.get("type") != SUB_COMMAND for s in sub):
                errors.append(
                    FieldError(
                        (*p, "options"),
                        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                        "A subcommand group may only contain subcommands",
                    )
                )
            errors += _options_errors((*p, "options"), sub, depth=depth + 1)
        else:
            sub = opt.get("options") or []
            if any(
                isinstance(s, dict) and s.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)
                for s in sub
            ):
                errors.append(
                    FieldError(
                        (*p, "options"),
                        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                        "A subcommand cannot contain subcommands",
                    )
                )
            errors += _options_errors((*p, "options"), sub, depth=depth + 1)
    if len(kinds) > 1:
        errors.append(
            FieldError(
                path,
                "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                "Subcommands and options cannot be mixed at one level",
            )
        )
    return errors


def _choice_list_errors(path: Path, choices: object, otype: object) -> list[FieldError]:
    if choices is None:
        return []
    if not isinstance(choices, list):
        return [FieldError(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")]
    errors: list[FieldError] = []
    if len(choices) > CHOICES_MAX:
        errors.append(
            FieldError(path, "BASE_TYPE_MAX_LENGTH", f"Must be {CHOICES_MAX} or fewer in length.")
        )
    for i, choice in enumerate(choices):
        errors += choice_errors((*path, i), choice, otype)
    return errors


def choice_errors(path: Path, choice: object, otype: object) -> list[FieldError]:
    """One ``{name, value, name_localizations?}`` choice."""
    if not isinstance(choice, dict):
        return [FieldError(path, "DICT_TYPE_CONVERT", "Only dictionaries allowed")]
    errors = _len_between((*path, "name"), choice.get("name"), 1, CHOICE_NAME_MAX)
    errors += _localization_errors(
        (*path, "name_localizations"),
        choice.get("name_localizations"),
        lambda p, v: _len_between(p, v, 1, CHOICE_NAME_MAX),
    )
    value = choice.get("value")
    if isinstance(value, str):
        errors += _max_len((*path, "value"), value, CHOICE_VALUE_MAX)
        if otype is not None and otype != STRING:
            errors.append(FieldError((*path, "value"), "NUMBER_TYPE_COERCE", "Not a number."))
    elif isinstance(value, bool) or not isinstance(value, int | float):
        errors.append(FieldError((*path, "value"), "BASE_TYPE_REQUIRED", "Invalid choice value."))
    elif otype == STRING:
        errors.append(FieldError((*path, "value"), "STRING_TYPE_CONVERT", "Not a string."))
    return errors


def _command_chars(cmd: JSON) -> int:
    total = len(str(cmd.get("name") or "")) + len(str(cmd.get("description") or ""))
    total += _options_chars(cmd.get("options") or [])
    return total


def _options_chars(options: Iterable[Any]) -> int:
    total = 0
    for opt in options:
        if not isinstance(opt, dict):
            continue
        total += len(str(opt.get("name") or "")) + len(str(opt.get("description") or ""))
        for choice in opt.get("choices") or []:
            if isinstance(choice, dict):
                total += len(str(choice.get("name") or "")) + len(str(choice.get("value") or ""))
        total += _options_chars(opt.get("options") or [])
    return total


# --- autocomplete ------------------------------------------------------------------------


def autocomplete_errors(data: object) -> list[FieldError]:
    """The ``data`` of an autocomplete (type 8) callback."""
    if not isinstance(data, dict):
        return [FieldError(("data",), "BASE_TYPE_REQUIRED", "This field is required")]
    choices = data.get("choices")
    if choices is None:
        return [FieldError(("data", "choices"), "BASE_TYPE_REQUIRED", "This field is required")]
    return _choice_list_errors(("data", "choices"), choices, None)


# --- messages ----------------------------------------------------------------------------


def message_errors(
    body: object, *, path: Path = (), creating: bool = True, has_files: bool = False
) -> list[FieldError]:
    """Content length, embed limits and component sanity for a message body.

    ``creating`` also refuses an empty message (nothing to show), as Discord does with 50006;
    that one is reported with code ``EMPTY_MESSAGE`` and mapped to 50006 by the caller.
    """
    if not isinstance(body, dict):
        return []
    errors: list[FieldError] = []
    content = body.get("content")
    errors += _max_len((*path, "content"), content, CONTENT_MAX)
    embeds = body.get("embeds") or []
    if isinstance(embeds, list):
        errors += embeds_errors((*path, "embeds"), embeds)
    components = body.get("components") or []
    if isinstance(components, list):
        errors += components_errors((*path, "components"), components)
    if creating and not (
        content
        or embeds
        or components
        or has_files
        or body.get("sticker_ids")
        or body.get("poll")
        or body.get("attachments")
    ):
        errors.append(FieldError(path, "EMPTY_MESSAGE", "Cannot send an empty message"))
    return errors


def embed_chars(embed: JSON) -> int:
    """Characters that count toward the 6,000 total of a message's embeds."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    for f in embed.get("fields") or []:
        if isinstance(f, dict):
            total += len(f.get("name") or "") + len(f.get("value") or "")
    footer = embed.get("footer")
    if isinstance(footer, dict):
        total += len(footer.get("text") or "")
    author = embed.get("author")
    if isinstance(author, dict):
        total += len(author.get("name") or "")
    return total


def embeds_errors(path: Path, embeds: list[Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    if len(embeds) > EMBEDS_MAX:
        errors.append(
            FieldError(path, "BASE_TYPE_MAX_LENGTH", f"Must be {EMBEDS_MAX} or fewer in length.")
        )
    total = 0
    for i, embed in enumerate(embeds):
        p = (*path, i)
        if not isinstance(embed, dict):
            errors.append(FieldError(p, "DICT_TYPE_CONVERT", "Only dictionaries allowed"))
            continue
        total += embed_chars(embed)
        errors += _max_len((*p, "title"), embed.get("title"), EMBED_TITLE_MAX)
        errors += _max_len((*p, "description"), embed.get("description"), EMBED_DESCRIPTION_MAX)
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            errors.append(
                FieldError(
                    (*p, "fields"),
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {EMBED_FIELDS_MAX} or fewer in length.",
                )
            )
        for j, f in enumerate(fields):
            fp = (*p, "fields", j)
            if not isinstance(f, dict):
                continue
            errors += _len_between((*fp, "name"), f.get("name"), 1, EMBED_FIELD_NAME_MAX)
            errors += _len_between((*fp, "value"), f.get("value"), 1, EMBED_FIELD_VALUE_MAX)
        footer = embed.get("footer")
        if isinstance(footer, dict):
            errors += _max_len((*p, "footer", "text"), footer.get("text"), EMBED_FOOTER_MAX)
        author = embed.get("author")
        if isinstance(author, dict):
            errors += _max_len((*p, "author", "name"), author.get("name"), EMBED_AUTHOR_MAX)
    if total > EMBED_TOTAL_MAX:
        errors.append(
            FieldError(
                path,
                "MESSAGE_EMBEDS_TOO_LARGE",
                f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX} ({total})",
            )
        )
    return errors


def components_errors(path: Path, rows: list[Any]) -> list[FieldError]:
    """Components of one message (or modal): every ``custom_id`` at most 100 characters and
    unique within the message, at any depth (action rows, sections and their accessory,
    containers); a button has a custom_id xor a url (link style 5)."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, node in enumerate(rows):
        errors += _component_errors((*path, i), node, seen)
    return errors


def _component_errors(path: Path, comp: object, seen: set[str]) -> list[FieldError]:
    if not isinstance(comp, dict):
        return []
    errors: list[FieldError] = []
    custom_id = comp.get("custom_id")
    if comp.get("type") == BUTTON:
        style = comp.get("style")
        if style == LINK_STYLE:
            if not comp.get("url") or custom_id is not None:
                errors.append(
                    FieldError(
                        path,
                        "BUTTON_COMPONENT_URL_REQUIRED",
                        "A link button needs a url and no custom_id",
                    )
                )
            return errors
        if style != PREMIUM_STYLE and not custom_id:
            errors.append(
                FieldError(
                    (*path, "custom_id"),
                    "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED",
                    "A non-link button must have a custom_id",
                )
            )
    if isinstance(custom_id, str):
        errors += _max_len((*path, "custom_id"), custom_id, CUSTOM_ID_MAX)
        if custom_id in seen:
            errors.append(
                FieldError(
                    (*path, "custom_id"),
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                )
            )
        seen.add(custom_id)
    children = comp.get("components")
    if isinstance(children, list):
        for j, child in enumerate(children):
            errors += _component_errors((*path, "components", j), child, seen)
    accessory = comp.get("accessory")
    if isinstance(accessory, dict):
        errors += _component_errors((*path, "accessory"), accessory, seen)
    return errors


def modal_errors(path: Path, data: object) -> list[FieldError]:
    """A modal callback: its own ``custom_id`` and its components' (same rules)."""
    if not isinstance(data, dict):
        return []
    errors = _max_len((*path, "custom_id"), data.get("custom_id"), CUSTOM_ID_MAX)
    components = data.get("components")
    if isinstance(components, list):
        errors += components_errors((*path, "components"), components)
    return errors
