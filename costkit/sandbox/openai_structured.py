"""JSON answers and tool calls for the sandbox: values built from JSON schemas, tools chosen by rule.

The sandbox cannot reason about a schema, so it builds the smallest instance that satisfies the
common keywords: required properties, ``enum`` (first value), ``const``, ``default``, ``anyOf`` /
``oneOf`` (first branch), local ``$ref``, ``minItems`` and numeric minimums. Strings get a fixed
value by ``format``, except the first free-text string of an answer, which receives the answer text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from costkit.sandbox.errors import invalid_request

#: The value of every string the sandbox fills in that is not the answer text.
FILLER_STRING = "sandbox"

_MAX_DEPTH = 12


def instance_from_schema(schema: Mapping[str, Any], *, text: str | None = None, today: datetime | None = None) -> Any:
    """Build a value that satisfies ``schema``.

    ``text`` goes into the first free-text string found (depth first, properties in order). When
    the schema has no such string, ``text`` is dropped. ``today`` dates ``date`` and ``date-time``
    strings, so a sandbox answer carries the simulated date.
    """
    builder = _InstanceBuilder(schema, text, today or datetime(2026, 9, 1))
    return builder.build(schema, 0)


def json_answer(text: str, *, schema: Mapping[str, Any] | None, today: datetime | None = None) -> str:
    """Return ``text`` if it is a JSON object (or any JSON value when a schema is given), else wrap it.

    Without a schema the wrapper is ``{"answer": text}``. With one, the text goes into the schema's
    first free-text string.
    """
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    else:
        if schema is not None or isinstance(parsed, dict):
            return text

    if schema is None:
        return json.dumps({"answer": text}, ensure_ascii=False)
    return json.dumps(instance_from_schema(schema, text=text, today=today), ensure_ascii=False)


def function_tools(tools: Sequence[Any] | None) -> list[dict[str, Any]]:
    """Return the function definitions among Chat Completions ``tools``, as ``{"name", "parameters", ...}``."""
    functions: list[dict[str, Any]] = []
    for index, tool in enumerate(tools or []):
        if not isinstance(tool, Mapping) or tool.get("type") != "function":
            continue
        function = tool.get("function")
        if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
            raise invalid_request(
                f"Invalid 'tools[{index}].function': expected an object with a string 'name', got {function!r}.",
                param=f"tools[{index}].function",
                code="invalid_value",
            )
        functions.append(dict(function))
    return functions


def choose_tool(
    functions: Sequence[Mapping[str, Any]],
    tool_choice: Any,
    *,
    last_role: str | None,
    last_user_text: str,
) -> Mapping[str, Any] | None:
    """Pick the function to call, or None for a text answer.

    ``tool_choice`` "none" gives text; "required" or a named function forces a call. With "auto"
    (the default) the sandbox calls a function when the conversation ends with a user message,
    and answers in text after tool results. It calls the function whose name and description share
    the most words with the user's message, the first one on a tie.
    """
    if not functions or tool_choice == "none":
        return None

    forced_name = _forced_function_name(tool_choice)
    if forced_name is not None:
        for function in functions:
            if function["name"] == forced_name:
                return function
        names = ", ".join(repr(function["name"]) for function in functions)
        raise invalid_request(
            f"Invalid value for 'tool_choice': function {forced_name!r} is not in 'tools' (defined: {names}).",
            param="tool_choice",
            code="invalid_value",
        )

    if tool_choice != "required" and last_role != "user":
        return None

    words = set(_words(last_user_text))
    best = functions[0]
    best_score = -1
    for function in functions:
        vocabulary = set(_words(function["name"] + " " + str(function.get("description", ""))))
        score = len(words & vocabulary)
        if score > best_score:
            best, best_score = function, score
    return best


def tool_arguments(function: Mapping[str, Any], *, today: datetime | None = None) -> str:
    """Return JSON arguments for ``function`` built from its ``parameters`` schema."""
    parameters = function.get("parameters") or {"type": "object", "properties": {}}
    return json.dumps(instance_from_schema(parameters, today=today), ensure_ascii=False)


def _forced_function_name(tool_choice: Any) -> str | None:
    if not isinstance(tool_choice, Mapping):
        return None
    function = tool_choice.get("function")
    if isinstance(function, Mapping) and isinstance(function.get("name"), str):
        return function["name"]
    name = tool_choice.get("name")
    return name if isinstance(name, str) else None


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[^a-z0-9]+", text.lower()) if len(word) > 2]


class _InstanceBuilder:
    def __init__(self, root: Mapping[str, Any], text: str | None, today: datetime) -> None:
        self.root = root
        self.text = text
        self.today = today

    def build(self, schema: Any, depth: int) -> Any:
        if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
            return None
        schema = self._resolve(schema)

        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        if "default" in schema:
            return schema["default"]
        for combinator in ("anyOf", "oneOf", "allOf"):
            branches = schema.get(combinator)
            if isinstance(branches, list) and branches:
                return self.build(branches[0], depth + 1)

        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((item for item in kind if item != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "string"
        return self._build_kind(kind, schema, depth)

    def _build_kind(self, kind: str, schema: Mapping[str, Any], depth: int) -> Any:
        if kind == "object":
            properties = schema.get("properties") or {}
            required = schema.get("required")
            names = [name for name in properties if name in required] if isinstance(required, list) else []
            return {name: self.build(properties[name], depth + 1) for name in names}
        if kind == "array":
            count = max(int(schema.get("minItems", 1)), 1)
            return [self.build(schema.get("items", {}), depth + 1) for _ in range(count)]
        if kind == "integer":
            return int(schema.get("minimum", 0))
        if kind == "number":
            return float(schema.get("minimum", 0))
        if kind == "boolean":
            return False
        if kind == "null":
            return None
        return self._string(schema)

    def _string(self, schema: Mapping[str, Any]) -> str:
        formats = {
            "date": self.today.strftime("%Y-%m-%d"),
            "date-time": self.today.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "email": "user@example.com",
            "uri": "https://example.com/",
            "uuid": "00000000-0000-4000-8000-000000000000",
        }
        if schema.get("format") in formats:
            return formats[schema["format"]]
        if self.text is not None:
            text, self.text = self.text, None
            return text
        return FILLER_STRING

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = schema.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return schema
        target: Any = self.root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, Mapping) else None
        return target if isinstance(target, Mapping) else {}
