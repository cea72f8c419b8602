"""Discord's official OpenAPI 3.1 spec: path-template matching and request-body validation."""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

JSON = dict[str, Any]

SPEC_ENV = "SUMMITBOT_DISCORD_SPEC"
_REPO_ROOT = Path(__file__).resolve().parents[2]


def default_spec_path() -> Path:
    """``$SUMMITBOT_DISCORD_SPEC``, else ``<repo>/../shared/discord-api-spec/openapi.json``."""
    env = os.environ.get(SPEC_ENV)
    if env:
        return Path(env)
    return _REPO_ROOT.parent / "shared" / "discord-api-spec" / "openapi.json"


@dataclass(frozen=True)
class RouteMatch:
    template: str
    params: dict[str, str]


@dataclass
class _Route:
    template: str
    regex: re.Pattern[str]
    literal_segments: int


#: Remembered verdicts; beyond this the memory is emptied (bodies of a run repeat, or they don't).
_MAX_VERDICTS = 4096


@dataclass
class OpenApiSpec:
    """The parsed spec with its path table; validators are built on first use and cached."""

    document: JSON
    _routes: list[_Route] = field(default_factory=list)
    _validators: dict[tuple[str, str, str], Draft202012Validator | None] = field(
        default_factory=dict
    )
    #: Verdicts on bodies already validated: the bot sends the same command-sync body at every
    #: start, and validating it is most of the fake's cost per start.
    _verdicts: dict[tuple[str, str, str], tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for template in self.document["paths"]:
            pattern = "".join(
                f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part)
                for part in re.split(r"(\{[^}]+\})", template)
                if part
            )
            literal = sum(1 for seg in template.split("/") if seg and not seg.startswith("{"))
            self._routes.append(_Route(template, re.compile(f"^{pattern}$"), literal))
        # Prefer literal segments: /messages/@original over /messages/{message_id}.
        self._routes.sort(key=lambda r: -r.literal_segments)

    def match(self, path: str) -> RouteMatch | None:
        """The spec path template for a concrete API path (without the /api/v10 prefix)."""
        for route in self._routes:
            m = route.regex.match(path)
            if m:
                return RouteMatch(route.template, m.groupdict())
        return None

    def operation(self, template: str, method: str) -> JSON | None:
        op = self.document["paths"].get(template, {}).get(method.lower())
        return op if isinstance(op, dict) else None

    def body_required(self, template: str, method: str) -> bool:
        op = self.operation(template, method)
        return bool(op and op.get("requestBody", {}).get("required"))

    def accepts(self, template: str, method: str, media_type: str) -> bool:
        op = self.operation(template, method)
        if op is None or "requestBody" not in op:
            return False
        return media_type in op["requestBody"].get("content", {})

    def validator(self, template: str, method: str, media_type: str) -> Draft202012Validator | None:
        key = (template, method.lower(), media_type)
        if key not in self._validators:
            op = self.operation(template, method)
            schema = None
            if op is not None:
                content = op.get("requestBody", {}).get("content", {})
                schema = content.get(media_type, {}).get("schema")
            self._validators[key] = (
                None
                if schema is None
                else Draft202012Validator({"components": self.document["components"], **schema})
            )
        return self._validators[key]

    def validate_body(self, template: str, method: str, body: object) -> list[str]:
        """Schema errors of a JSON body (the application/json schema; also used for
        multipart ``payload_json``). Unions with a ``type`` discriminator are narrowed to
        the branch that ``type`` selects, as Discord does, so errors name the right schema.
        An identical body gets the verdict it got before.
        """
        key = (template, method, json.dumps(body, sort_keys=True, default=repr))
        verdict = self._verdicts.get(key)
        if verdict is None:
            if len(self._verdicts) >= _MAX_VERDICTS:
                self._verdicts.clear()
            verdict = self._verdicts[key] = tuple(self._validate_body(template, method, body))
        return list(verdict)

    def _validate_body(self, template: str, method: str, body: object) -> list[str]:
        validator = self.validator(template, method, "application/json")
        if validator is None:
            return []
        schema = validator.schema
        branches = self._discriminated_branches(schema, body)
        if branches is not None:
            if not branches:
                kind = body.get("type") if isinstance(body, dict) else None
                return [f"type: {kind!r} is not one of the types this endpoint accepts"]
            best: list[str] | None = None
            for ref in branches:
                sub = Draft202012Validator({"components": self.document["components"], "$ref": ref})
                errs = _messages(sub, body)
                if not errs:
                    return []
                if best is None or len(errs) < len(best):
                    best = errs
            return best or []
        return _messages(validator, body)

    def _discriminated_branches(self, schema: JSON, body: object) -> list[str] | None:
        union = schema.get("anyOf") or schema.get("oneOf")
        if not isinstance(body, dict) or "type" not in body or not union:
            return None
        refs = [b.get("$ref") for b in union]
        if not all(isinstance(r, str) for r in refs):
            return None
        chosen: list[str] = []
        for ref in refs:
            target = self._resolve(str(ref))
            type_schema = target.get("properties", {}).get("type", {})
            allowed = type_schema.get("enum")
            if allowed is None:
                return None
            if body["type"] in allowed:
                chosen.append(str(ref))
        return chosen

    def _resolve(self, ref: str) -> JSON:
        node: Any = self.document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return node if isinstance(node, dict) else {}


def _wrong_kind(errors: list[ValidationError]) -> bool:
    """A union branch that fails on the instance's type or its ``type`` discriminator."""
    for e in errors:
        path = list(e.relative_path)
        if (not path and e.validator == "type") or (path == ["type"] and e.validator == "enum"):
            return True
    return False


def _leaf(err: ValidationError) -> ValidationError:
    """Descend a oneOf/anyOf failure to the branch error that explains it best."""
    while err.context:
        branches: dict[object, list[ValidationError]] = {}
        for e in err.context:
            branches.setdefault(e.relative_schema_path[0], []).append(e)
        plausible = [errs for errs in branches.values() if not _wrong_kind(errs)]
        err = plausible[0][0] if len(plausible) == 1 else best_match(err.context)
    return err


def _messages(validator: Draft202012Validator, body: object) -> list[str]:
    out = []
    for top in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)):
        err = _leaf(top)
        where = "/".join(str(p) for p in err.absolute_path) or "<body>"
        message = err.message
        if len(message) > 200:
            message = f"fails {err.validator} {err.validator_value!r}"[:200]
        out.append(f"{where}: {message}")
    return out


@functools.cache
def load_spec(path: str | None = None) -> OpenApiSpec:
    """Load (once per process) the spec at ``path`` or :func:`default_spec_path`."""
    spec_path = Path(path) if path else default_spec_path()
    if not spec_path.is_file():
        raise FileNotFoundError(
            f"Discord's OpenAPI spec is not at {spec_path}; set ${SPEC_ENV} to its path"
        )
    with spec_path.open(encoding="utf-8") as fh:
        document = json.load(fh)
    # Discord takes a snowflake as a string or an integer (discord.py sends integer
    # attachment ids in multipart payloads); the spec only describes the string form.
    schemas = document["components"]["schemas"]
    schemas["SnowflakeType"] = {
        "anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}]
    }
    return OpenApiSpec(document)
