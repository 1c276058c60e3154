"""Request bodies of Chat Completions and Responses, checked and parsed into one :class:`ChatRequest`.

The checks mirror the real API's 400 errors (missing or invalid parameters, unsupported
parameters for reasoning models) so that code which fails live also fails in the sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from costkit.sandbox.errors import invalid_request, missing_parameter

#: Model id prefixes of OpenAI reasoning models, which report ``reasoning_tokens``.
REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")

#: Smallest ``max_output_tokens`` that the Responses API accepts.
MIN_RESPONSES_OUTPUT_TOKENS = 16

_ROLES = ("system", "developer", "user", "assistant", "tool", "function")


@dataclass
class ChatRequest:
    """One text-generation request, parsed from either endpoint's body."""

    model: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: Any = None
    json_kind: str | None = None
    schema: Mapping[str, Any] | None = None
    output_limit: int | None = None
    output_limit_param: str = "max_completion_tokens"
    reasoning_effort: str | None = None
    stop: tuple[str, ...] = ()
    n: int = 1
    prompt_cache_key: str | None = None
    prompt_cache_retention: str | None = None


def parse_chat_body(body: Any) -> ChatRequest:
    """Check a Chat Completions body and turn it into a :class:`ChatRequest`."""
    body = _require_object(body)
    model = body.get("model")
    if "model" not in body:
        raise missing_parameter("model")
    if "messages" not in body or body["messages"] is None:
        raise missing_parameter("messages")
    messages = body["messages"]
    if not isinstance(messages, list):
        raise invalid_request(
            f"Invalid type for 'messages': expected an array of message objects, got {type(messages).__name__}.",
            param="messages",
            code="invalid_type",
        )
    if not messages:
        raise invalid_request(
            "Invalid 'messages': empty array. Expected an array with minimum length 1.",
            param="messages",
            code="empty_array",
        )
    _check_roles(messages)

    if body.get("stream_options") is not None and not body.get("stream"):
        raise invalid_request(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            param="stream_options",
            code="invalid_value",
        )

    limit, limit_param = _chat_output_limit(body, str(model))
    json_kind, schema = _response_format(body.get("response_format"), "response_format")
    return ChatRequest(
        model=str(model),
        messages=messages,
        tools=list(body.get("tools") or []),
        tool_choice=body.get("tool_choice"),
        json_kind=json_kind,
        schema=schema,
        output_limit=limit,
        output_limit_param=limit_param,
        reasoning_effort=_optional_str(body, "reasoning_effort"),
        stop=_stop_sequences(body.get("stop")),
        n=_int_param(body, "n", minimum=1, maximum=128) or 1,
        prompt_cache_key=_optional_str(body, "prompt_cache_key"),
        prompt_cache_retention=_optional_str(body, "prompt_cache_retention"),
    )


def parse_responses_body(body: Any) -> ChatRequest:
    """Check a Responses body and turn it into a :class:`ChatRequest` with chat-format messages."""
    body = _require_object(body)
    if "model" not in body:
        raise missing_parameter("model")
    if body.get("input") is None:
        raise missing_parameter("input")

    messages: list[dict[str, Any]] = []
    instructions = body.get("instructions")
    if isinstance(instructions, str) and instructions:
        messages.append({"role": "developer", "content": instructions})
    messages.extend(_responses_input_messages(body["input"]))

    limit = _int_param(body, "max_output_tokens", minimum=MIN_RESPONSES_OUTPUT_TOKENS)
    text_config = body.get("text") if isinstance(body.get("text"), Mapping) else {}
    json_kind, schema = _response_format(text_config.get("format"), "text.format")
    reasoning = body.get("reasoning") if isinstance(body.get("reasoning"), Mapping) else {}

    tools = []
    for tool in body.get("tools") or []:
        if isinstance(tool, Mapping) and tool.get("type") == "function":
            function = {key: tool[key] for key in ("name", "description", "parameters") if key in tool}
            tools.append({"type": "function", "function": function})

    return ChatRequest(
        model=str(body["model"]),
        messages=messages,
        tools=tools,
        tool_choice=body.get("tool_choice"),
        json_kind=json_kind,
        schema=schema,
        output_limit=limit,
        output_limit_param="max_output_tokens",
        reasoning_effort=reasoning.get("effort"),
        prompt_cache_key=_optional_str(body, "prompt_cache_key"),
        prompt_cache_retention=_optional_str(body, "prompt_cache_retention"),
    )


def is_reasoning_model(model: str) -> bool:
    """Return True for OpenAI reasoning models (o1, o3, o4 and gpt-5 families, but not gpt-5-chat)."""
    return model.startswith(REASONING_PREFIXES) and "-chat" not in model


def _check_roles(messages: Sequence[Any]) -> None:
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping):
            raise invalid_request(
                f"Invalid type for 'messages[{index}]': expected an object, but got {type(message).__name__} instead.",
                param=f"messages[{index}]",
                code="invalid_type",
            )
        role = message.get("role")
        if role not in _ROLES:
            raise invalid_request(
                f"Invalid value: {role!r}. Supported values are: {', '.join(repr(r) for r in _ROLES)}.",
                param=f"messages[{index}].role",
                code="invalid_value",
            )


def _chat_output_limit(body: Mapping[str, Any], model: str) -> tuple[int | None, str]:
    max_tokens = _int_param(body, "max_tokens", minimum=1)
    max_completion_tokens = _int_param(body, "max_completion_tokens", minimum=1)
    reasoning = is_reasoning_model(model)

    if max_tokens is not None and reasoning:
        raise invalid_request(
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
            param="max_tokens",
            code="unsupported_parameter",
        )
    temperature = body.get("temperature")
    if temperature is not None and (not isinstance(temperature, (int, float)) or not 0 <= temperature <= 2):
        raise invalid_request(
            f"Invalid 'temperature': {temperature!r}. Expected a number between 0 and 2.",
            param="temperature",
            code="invalid_value",
        )
    if reasoning and temperature not in (None, 1):
        raise invalid_request(
            f"Unsupported value: 'temperature' does not support {temperature} with this model. "
            "Only the default (1) value is supported.",
            param="temperature",
            code="unsupported_value",
        )

    if max_completion_tokens is not None:
        return max_completion_tokens, "max_completion_tokens"
    return max_tokens, "max_tokens"


def _response_format(value: Any, param: str) -> tuple[str | None, Mapping[str, Any] | None]:
    """Return ("json_object" | "json_schema" | None, schema) for a response format."""
    if value is None:
        return None, None
    kind = value.get("type") if isinstance(value, Mapping) else None
    if kind == "text":
        return None, None
    if kind == "json_object":
        return "json_object", None
    if kind == "json_schema":
        # Chat Completions nests the schema under "json_schema"; Responses puts it on the format itself.
        container = value.get("json_schema", value)
        schema = container.get("schema") if isinstance(container, Mapping) else None
        if not isinstance(schema, Mapping):
            raise missing_parameter(f"{param}.json_schema.schema" if "json_schema" in value else f"{param}.schema")
        return "json_schema", schema
    raise invalid_request(
        f"Invalid value for '{param}.type': {kind!r}. Supported values are 'text', 'json_object' and 'json_schema'.",
        param=f"{param}.type",
        code="invalid_value",
    )


def _responses_input_messages(value: Any) -> list[dict[str, Any]]:
    """Convert Responses ``input`` (a string or a list of items) to chat-format messages."""
    if isinstance(value, str):
        return [{"role": "user", "content": value}]
    if not isinstance(value, list) or not value:
        raise invalid_request(
            "Invalid 'input': expected a string or a non-empty array of input items.", param="input", code="invalid_value"
        )

    messages: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise invalid_request(f"Invalid 'input[{index}]': expected an object.", param=f"input[{index}]", code="invalid_type")
        kind = item.get("type", "message")
        if kind == "message":
            messages.append({"role": item.get("role", "user"), "content": _responses_content(item.get("content"))})
        elif kind == "function_call_output":
            output = item.get("output")
            messages.append({"role": "tool", "tool_call_id": item.get("call_id", ""), "content": str(output)})
        elif kind == "function_call":
            call = {"id": item.get("call_id", ""), "type": "function", "function": {"name": item.get("name", ""), "arguments": item.get("arguments", "")}}
            messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        # Reasoning items from an earlier response carry no billable text in the sandbox.
    _check_roles(messages)
    return messages


def _responses_content(content: Any) -> Any:
    if isinstance(content, str) or content is None:
        return content or ""
    parts: list[dict[str, Any]] = []
    for part in content if isinstance(content, list) else []:
        kind = part.get("type") if isinstance(part, Mapping) else None
        if kind in ("input_text", "output_text"):
            parts.append({"type": "text", "text": part.get("text", "")})
        elif kind == "input_image":
            image = {"url": part.get("image_url", ""), "detail": part.get("detail", "auto")}
            parts.append({"type": "image_url", "image_url": image})
    return parts


def _require_object(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise invalid_request(
            f"The request body must be a JSON object, got {type(body).__name__}.", code="invalid_request_body"
        )
    return body


def _int_param(body: Mapping[str, Any], name: str, *, minimum: int, maximum: int | None = None) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_request(
            f"Invalid type for '{name}': expected an integer, but got {type(value).__name__} instead.",
            param=name,
            code="invalid_type",
        )
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        code = "integer_below_min_value" if value < minimum else "integer_above_max_value"
        raise invalid_request(f"Invalid '{name}': {value}. Expected a value {bound}.", param=name, code=code)
    return value


def _optional_str(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    return value if isinstance(value, str) else None


def _stop_sequences(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and len(value) <= 4 and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise invalid_request(
        f"Invalid 'stop': {value!r}. Expected a string or an array of up to 4 strings.", param="stop", code="invalid_value"
    )
