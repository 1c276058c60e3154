"""Count tokens in text, chat messages, tool definitions and images, offline.

Text is tokenized with the model's tiktoken encoding (bundled with costkit, see
``costkit.encodings``). Chat messages add the framing that OpenAI's chat format puts around each
message. The rules come from OpenAI's cookbook "How to count tokens with tiktoken", which checked
them against the API: 3 tokens per message, 1 more per ``name``, and 3 tokens that prime the
reply. Claude and Gemini counts are estimates, because their tokenizers are not public.

>>> count_tokens("Hello, world!")
4
>>> count_message_tokens([{"role": "user", "content": "Hello, world!"}])
11
>>> count_image_tokens(1024, 1024, detail="high", model="gpt-4o")
765

The counts are what you send. Bill from ``response.usage`` after the call: providers can change
their framing without notice, and only the API's own figure is authoritative.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import tiktoken

from costkit.encodings import encoding_for_model, encoding_name_for_model, is_estimate
from costkit.errors import InvalidMessageError
from costkit.images import count_image_tokens, image_size_from_data_url

__all__ = [
    "count_image_tokens",
    "count_message_tokens",
    "count_tokens",
    "count_tokens_many",
    "count_tool_tokens",
    "image_size_from_data_url",
    "is_estimate",  # re-exported from costkit.encodings: True for Claude and Gemini
    "token_boundaries",
]

# Chat framing from OpenAI's cookbook, verified there against the API for gpt-3.5-turbo, gpt-4,
# gpt-4o and gpt-4o-mini: <|start|>{role/name}\n{content}<|end|>\n per message, and the reply
# primed with <|start|>assistant<|message|>.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3

# NOTE: OpenAI does not publish how tool calls and tool results are framed. These two constants
# (+3 per function call, -2 for a tool or function result message) reproduce the API's count
# of 35 for one gpt-4 request with a tool call and its result. Counts with several parallel
# tool calls in one message are unverified.
TOKENS_PER_FUNCTION_CALL = 3
TOOL_RESULT_MESSAGE_ADJUSTMENT = -2

def count_tokens(text: str, model: str = "gpt-4o", *, encoding: str | None = None) -> int:
    """Count the tokens in ``text`` as ``model`` tokenizes it.

    Special-token strings such as ``<|endoftext|>`` count as ordinary text, as they do when a
    user sends them to the API. ``encoding`` ("o200k_base" or "cl100k_base") overrides the
    model's encoding, e.g. for a model costkit does not know. For claude-* and gemini-* models
    the count is an estimate made with o200k_base, because their tokenizers are not public.

    Raises ``TypeError`` when ``text`` is not a str and ``UnknownModelError`` for an unknown model.
    """
    if not isinstance(text, str):
        raise TypeError(
            f"count_tokens expects text as a str, got {type(text).__name__}: {_preview(text)}. "
            f"For chat messages use count_message_tokens; for many texts use count_tokens_many."
        )
    return len(_encoding(model, encoding).encode_ordinary(text))


def count_tokens_many(
    texts: Sequence[str],
    model: str = "gpt-4o",
    *,
    num_threads: int | None = None,
    encoding: str | None = None,
) -> list[int]:
    """Count the tokens of each text in ``texts``, in parallel with tiktoken's batch API.

    Returns one count per text, in order. ``num_threads`` defaults to the number of CPUs;
    tiktoken releases the GIL while it encodes, so threads scale with cores. Claude and Gemini
    counts are estimates (see ``count_tokens``).
    """
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"texts must be a list of str, got {type(texts).__name__}; for one text use count_tokens")
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{index}] must be a str, got {type(text).__name__}: {_preview(text)}")

    if num_threads is None:
        num_threads = os.cpu_count() or 1
    if isinstance(num_threads, bool) or not isinstance(num_threads, int) or num_threads < 1:
        raise ValueError(f"num_threads must be a positive int, got {num_threads!r}")

    batches = _encoding(model, encoding).encode_ordinary_batch(list(texts), num_threads=num_threads)
    return [len(tokens) for tokens in batches]


def token_boundaries(text: str, model: str = "gpt-4o", *, encoding: str | None = None) -> list[str]:
    """Split ``text`` into the pieces that ``model``'s tokenizer produces, one str per token.

    Joined, the pieces give back ``text``, except where one character is split across several
    tokens (common in CJK text and emoji): each such token decodes to U+FFFD, the replacement
    character. Useful for showing where token boundaries fall.
    """
    if not isinstance(text, str):
        raise TypeError(f"token_boundaries expects text as a str, got {type(text).__name__}: {_preview(text)}")
    tokenizer = _encoding(model, encoding)
    return [
        tokenizer.decode_single_token_bytes(token).decode("utf-8", errors="replace")
        for token in tokenizer.encode_ordinary(text)
    ]


def count_message_tokens(
    messages: Sequence[Mapping[str, Any]],
    model: str = "gpt-4o",
    *,
    tools: Sequence[Mapping[str, Any]] | None = None,
    functions: Sequence[Mapping[str, Any]] | None = None,
    image_sizes: Mapping[str, tuple[int, int]] | None = None,
    encoding: str | None = None,
) -> int:
    """Count the input tokens of a Chat Completions request: ``messages`` plus ``tools`` or ``functions``.

    Each message costs 3 tokens plus its role and content. A ``name`` adds its tokens plus 1, and
    the reply priming adds 3. Content may be a str or a list of parts: "text" and "refusal"
    parts count their text, and "image_url" parts count as ``count_image_tokens``.
    Assistant ``tool_calls`` and ``function_call`` count their name and arguments plus 3 per call;
    ``tool`` and ``function`` result messages count 2 tokens less than other messages. ``content``
    may be None only on an assistant message that carries ``tool_calls`` or ``function_call``.

    Image sizes: a base64 data URL is read from its PNG, JPEG, GIF or WebP header. A remote URL
    cannot be measured offline, so pass its size in ``image_sizes``, a mapping from the URL to
    ``(width, height)`` in pixels.

    ``tools`` (the ``tools`` request parameter) and ``functions`` (the legacy ``functions``
    parameter) count as ``count_tool_tokens``. The result reproduces the API's published counts
    for OpenAI's cookbook examples. Claude and Gemini counts are estimates: their framing and
    tokenizers are not public.

    Raises ``InvalidMessageError`` naming the message index and the fix for malformed input.
    """
    if isinstance(messages, (str, bytes, Mapping)) or not isinstance(messages, Sequence):
        raise InvalidMessageError(
            f"messages must be a list of dicts such as [{{'role': 'user', 'content': 'Hi'}}], "
            f"got {type(messages).__name__}: {_preview(messages)}"
        )

    tokenizer = _encoding(model, encoding)
    total = 0
    for index, message in enumerate(messages):
        total += _count_message(message, index, tokenizer, model, image_sizes or {})
    total += REPLY_PRIMING_TOKENS

    if tools:
        total += count_tool_tokens(tools, model, encoding=encoding)
    if functions:
        definitions = [_function_definition(function, f"functions[{index}]") for index, function in enumerate(functions)]
        total += _count_function_definitions(definitions, tokenizer, _tool_constants(model, encoding))
    return total


def count_tool_tokens(tools: Sequence[Mapping[str, Any]], model: str = "gpt-4o", *, encoding: str | None = None) -> int:
    """Count the tokens that the ``tools`` request parameter adds to the input.

    Uses the per-function, per-property and per-enum constants of OpenAI's cookbook, which
    reproduce the API's count for its weather-tool example. The cookbook gives one set for
    gpt-4o and gpt-4o-mini and another for gpt-3.5-turbo and gpt-4, so other models use the set
    of their encoding. Nested object properties and array items count with the same constants.
    An empty list counts 0.
    """
    if isinstance(tools, (str, bytes, Mapping)) or not isinstance(tools, Sequence):
        raise InvalidMessageError(
            f"tools must be a list of {{'type': 'function', 'function': {{...}}}} dicts, got {type(tools).__name__}"
        )

    definitions = []
    for index, tool in enumerate(tools):
        where = f"tools[{index}]"
        if not isinstance(tool, Mapping) or tool.get("type") != "function" or "function" not in tool:
            raise InvalidMessageError(
                f"{where} must be {{'type': 'function', 'function': {{'name': ..., 'parameters': ...}}}}, "
                f"got {_preview(tool)}; only function tools can be counted"
            )
        definitions.append(_function_definition(tool["function"], f"{where}.function"))

    return _count_function_definitions(definitions, _encoding(model, encoding), _tool_constants(model, encoding))


# ---------------------------------------------------------------------------------------------
# Messages


def _count_message(
    message: object,
    index: int,
    tokenizer: tiktoken.Encoding,
    model: str,
    image_sizes: Mapping[str, tuple[int, int]],
) -> int:
    where = f"messages[{index}]"
    if not isinstance(message, Mapping):
        raise InvalidMessageError(
            f"{where} must be a dict such as {{'role': 'user', 'content': 'Hi'}}, got {type(message).__name__}: {_preview(message)}"
        )
    role = message.get("role")
    if not isinstance(role, str) or not role:
        raise InvalidMessageError(
            f"{where} has no role (got {role!r}); add 'role': 'system', 'user', 'assistant' or 'tool'"
        )

    def text_tokens(value: str) -> int:
        return len(tokenizer.encode_ordinary(value))

    total = TOKENS_PER_MESSAGE + text_tokens(role)
    if role in ("tool", "function"):
        total += TOOL_RESULT_MESSAGE_ADJUSTMENT

    calls_tools = bool(message.get("tool_calls")) or bool(message.get("function_call"))
    content = message.get("content")
    if content is None:
        if not (role == "assistant" and calls_tools):
            raise InvalidMessageError(
                f"{where} ({role}) has content None or no content; pass a str or a list of content parts "
                f"(None is allowed only on an assistant message with tool_calls or function_call)"
            )
    elif isinstance(content, str):
        total += text_tokens(content)
    elif isinstance(content, Sequence) and not isinstance(content, bytes):
        for part_index, part in enumerate(content):
            total += _count_content_part(part, f"{where}.content[{part_index}]", text_tokens, model, image_sizes)
    else:
        raise InvalidMessageError(
            f"{where}.content must be a str or a list of content parts, got {type(content).__name__}: {_preview(content)}"
        )

    name = message.get("name")
    if name is not None:
        if not isinstance(name, str):
            raise InvalidMessageError(f"{where}.name must be a str, got {type(name).__name__}: {_preview(name)}")
        total += text_tokens(name) + TOKENS_PER_NAME

    tool_calls = message.get("tool_calls")
    if tool_calls:
        if isinstance(tool_calls, (str, Mapping)) or not isinstance(tool_calls, Sequence):
            raise InvalidMessageError(f"{where}.tool_calls must be a list of tool calls, got {type(tool_calls).__name__}")
        for call_index, call in enumerate(tool_calls):
            call_where = f"{where}.tool_calls[{call_index}]"
            if not isinstance(call, Mapping) or not isinstance(call.get("function"), Mapping):
                raise InvalidMessageError(
                    f"{call_where} must be {{'id': ..., 'type': 'function', 'function': {{'name': ..., 'arguments': ...}}}}, "
                    f"got {_preview(call)}"
                )
            total += _count_function_call(call["function"], f"{call_where}.function", text_tokens)

    function_call = message.get("function_call")
    if function_call:
        if not isinstance(function_call, Mapping):
            raise InvalidMessageError(
                f"{where}.function_call must be {{'name': ..., 'arguments': ...}}, got {_preview(function_call)}"
            )
        total += _count_function_call(function_call, f"{where}.function_call", text_tokens)

    return total


def _count_content_part(
    part: object,
    where: str,
    text_tokens: Any,
    model: str,
    image_sizes: Mapping[str, tuple[int, int]],
) -> int:
    if not isinstance(part, Mapping):
        raise InvalidMessageError(
            f"{where} must be a dict such as {{'type': 'text', 'text': '...'}}, got {type(part).__name__}: {_preview(part)}"
        )
    part_type = part.get("type")

    if part_type in ("text", "refusal"):
        text = part.get(part_type)
        if not isinstance(text, str):
            raise InvalidMessageError(
                f"{where} is a {part_type!r} part whose {part_type!r} field must be a str, got {type(text).__name__}: {_preview(text)}"
            )
        return int(text_tokens(text))

    if part_type == "image_url":
        return _count_image_part(part, where, model, image_sizes)

    if part_type in ("input_audio", "file"):
        raise InvalidMessageError(
            f"{where} is an {part_type!r} part, which costkit cannot count offline; count the other parts "
            f"and read the total from response.usage"
        )
    raise InvalidMessageError(
        f"{where} has unknown content part type {part_type!r}; use 'text' or 'image_url' "
        f"(e.g. {{'type': 'text', 'text': '...'}})"
    )


def _count_image_part(part: Mapping[str, Any], where: str, model: str, image_sizes: Mapping[str, tuple[int, int]]) -> int:
    image = part.get("image_url")
    if isinstance(image, str):
        url, detail = image, "auto"
    elif isinstance(image, Mapping) and isinstance(image.get("url"), str):
        url, detail = image["url"], image.get("detail", "auto")
    else:
        raise InvalidMessageError(f"{where}.image_url must be {{'url': ..., 'detail': ...}}, got {_preview(image)}")

    if url in image_sizes:
        size = image_sizes[url]
        if not (isinstance(size, Sequence) and len(size) == 2):
            raise InvalidMessageError(f"image_sizes[{_preview(url)}] must be a (width, height) pair, got {size!r}")
        width, height = size
    elif url.startswith("data:"):
        try:
            width, height = image_size_from_data_url(url)
        except ValueError as error:
            raise InvalidMessageError(f"{where}: cannot read the image size from its data URL: {error}") from error
    else:
        raise InvalidMessageError(
            f"{where} points to {_preview(url)}, whose size cannot be known offline. "
            f"Pass image_sizes={{url: (width, height)}} to count_message_tokens, or send the image as a base64 data URL."
        )

    try:
        return count_image_tokens(width, height, detail=detail, model=model)
    except ValueError as error:
        raise InvalidMessageError(f"{where}: {error}") from error


def _count_function_call(function: Mapping[str, Any], where: str, text_tokens: Any) -> int:
    name, arguments = function.get("name"), function.get("arguments", "")
    if not isinstance(name, str) or not isinstance(arguments, str):
        raise InvalidMessageError(
            f"{where} must have a str 'name' and a JSON str 'arguments', got {_preview(dict(function))}"
        )
    return int(text_tokens(name) + text_tokens(arguments)) + TOKENS_PER_FUNCTION_CALL


# ---------------------------------------------------------------------------------------------
# Tool definitions


@dataclass(frozen=True)
class _ToolFormat:
    function_start: int
    properties_start: int
    property: int
    enum_start: int
    enum_item: int
    tools_end: int


# Constants of OpenAI's cookbook "How to count tokens with tiktoken" (num_tokens_for_tools),
# which reproduce the API's 101 (gpt-4o, gpt-4o-mini) and 105 (gpt-3.5-turbo, gpt-4) tokens for
# its weather-tool example. The cookbook gives them per model; costkit applies each set to
# every model of the same encoding.
_TOOL_FORMATS: dict[str, _ToolFormat] = {
    "o200k_base": _ToolFormat(function_start=7, properties_start=3, property=3, enum_start=-3, enum_item=3, tools_end=12),
    "cl100k_base": _ToolFormat(function_start=10, properties_start=3, property=3, enum_start=-3, enum_item=3, tools_end=12),
}


def _tool_constants(model: str, encoding: str | None) -> _ToolFormat:
    return _TOOL_FORMATS[encoding_name_for_model(model, encoding=encoding)]


def _function_definition(function: object, where: str) -> Mapping[str, Any]:
    if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
        raise InvalidMessageError(f"{where} must be a dict with a str 'name', got {_preview(function)}")
    description = function.get("description", "")
    if not isinstance(description, str):
        raise InvalidMessageError(f"{where}.description must be a str, got {type(description).__name__}")
    parameters = function.get("parameters") or {}
    if not isinstance(parameters, Mapping):
        raise InvalidMessageError(f"{where}.parameters must be a JSON Schema object (a dict), got {_preview(parameters)}")
    return function


def _count_function_definitions(
    functions: Sequence[Mapping[str, Any]], tokenizer: tiktoken.Encoding, constants: _ToolFormat
) -> int:
    if not functions:
        return 0

    total = 0
    for function in functions:
        total += constants.function_start
        description = function.get("description", "").removesuffix(".")
        total += len(tokenizer.encode_ordinary(f"{function['name']}:{description}"))
        properties = (function.get("parameters") or {}).get("properties") or {}
        total += _count_properties(properties, f"{function['name']}.parameters", tokenizer, constants)
    return total + constants.tools_end


def _count_properties(
    properties: Mapping[str, Any], where: str, tokenizer: tiktoken.Encoding, constants: _ToolFormat
) -> int:
    if not properties:
        return 0
    if not isinstance(properties, Mapping):
        raise InvalidMessageError(f"{where}.properties must be a dict of property schemas, got {_preview(properties)}")

    total = constants.properties_start
    for name, schema in properties.items():
        if not isinstance(schema, Mapping):
            raise InvalidMessageError(f"{where}.properties[{name!r}] must be a JSON Schema dict, got {_preview(schema)}")
        total += constants.property

        property_type = schema.get("type", "")
        if isinstance(property_type, list):  # e.g. ["string", "null"]
            property_type = "|".join(str(item) for item in property_type)
        description = str(schema.get("description", "")).removesuffix(".")
        total += len(tokenizer.encode_ordinary(f"{name}:{property_type}:{description}"))
        total += _count_enum(schema, tokenizer, constants)

        # Nested objects and arrays of objects count their own properties with the same constants.
        nested_where = f"{where}.properties[{name!r}]"
        total += _count_properties(schema.get("properties") or {}, nested_where, tokenizer, constants)
        items = schema.get("items")
        if isinstance(items, Mapping):
            total += _count_enum(items, tokenizer, constants)
            total += _count_properties(items.get("properties") or {}, f"{nested_where}.items", tokenizer, constants)
    return total


def _count_enum(schema: Mapping[str, Any], tokenizer: tiktoken.Encoding, constants: _ToolFormat) -> int:
    values = schema.get("enum")
    if not values:
        return 0
    total = constants.enum_start
    for value in values:
        text = value if isinstance(value, str) else json.dumps(value)
        total += constants.enum_item + len(tokenizer.encode_ordinary(text))
    return total


# ---------------------------------------------------------------------------------------------
# Helpers


def _encoding(model: str, encoding: str | None) -> tiktoken.Encoding:
    if not isinstance(model, str):
        raise TypeError(f"model must be a str such as 'gpt-4o', got {type(model).__name__}: {_preview(model)}")
    if encoding is not None and not isinstance(encoding, str):
        raise TypeError(f"encoding must be a str such as 'o200k_base', got {type(encoding).__name__}: {_preview(encoding)}")
    return _cached_encoding(model, encoding)


@functools.lru_cache(maxsize=256)
def _cached_encoding(model: str, encoding: str | None) -> tiktoken.Encoding:
    return encoding_for_model(model, encoding=encoding)


def _preview(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
