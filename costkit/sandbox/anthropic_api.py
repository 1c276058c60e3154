"""The Anthropic Messages API, served in-process by the sandbox for the official ``anthropic`` SDK.

Routes:

- ``POST /v1/messages``: a placeholder answer (or a registered responder's answer) with the real
  ``usage`` rules, including prompt caching (see :mod:`costkit.sandbox.anthropic_cache`),
  ``max_tokens`` truncation, stop sequences, forced tool use and ``stream=True``.
- ``POST /v1/messages/count_tokens``: ``{"input_tokens": N}``, where N is the sum of the input
  buckets that ``/v1/messages`` bills for the same request.
- ``/v1/messages/batches``: Message Batches (see :mod:`costkit.sandbox.anthropic_batches`).

Errors use Anthropic's shape, ``{"type": "error", "error": {"type", "message"}, "request_id"}``,
with status 400 ``invalid_request_error``, 404 ``not_found_error``, 429 ``rate_limit_error``,
500 ``api_error`` or 529 ``overloaded_error``, so the SDK raises the same exception classes as
against the real API. Every response carries a ``request-id`` header.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import httpx2

from costkit.sandbox.anthropic_cache import (
    DEFAULT_MIN_CACHEABLE_TOKENS,
    CacheResult,
    PromptCache,
    PromptError,
    flatten_text,
    render_prompt,
)
from costkit.sandbox.anthropic_batches import BATCHES_PATH
from costkit.sandbox.answers import placeholder_answer
from costkit.sandbox.core import Fault, ResponderRequest
from costkit.sandbox.errors import SandboxAPIError

if TYPE_CHECKING:
    from costkit.pricing import ModelPrice
    from costkit.sandbox.core import Sandbox

logger = logging.getLogger("costkit.sandbox")

MESSAGES_PATH = "/v1/messages"
COUNT_TOKENS_PATH = "/v1/messages/count_tokens"

#: The ``error.type`` that Anthropic sends with each HTTP status the sandbox uses.
ANTHROPIC_ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}

#: HTTP status of each injected fault kind other than "timeout".
FAULT_STATUS: dict[str, int] = {"rate_limit": 429, "server_error": 500, "overloaded": 529}

#: Name of the sandbox state that contains the prompt cache (see ``Sandbox.provider_state``).
PROMPT_CACHE_STATE = "anthropic.prompt_cache"

#: Minimum output tokens billed, even for empty text. The API also reports non-zero output for an empty reply.
MIN_OUTPUT_TOKENS = 1


def handle(sandbox: Sandbox, request: httpx2.Request) -> httpx2.Response:
    """Serve one HTTP request sent to the sandbox's Anthropic host.

    An injected fault for this path takes precedence: "timeout" raises ``httpx2.ReadTimeout``,
    the other kinds return their error status. Every request is counted, faulted or not.
    """
    path = request.url.path
    sandbox.count_request("anthropic", path)
    request_id = sandbox.next_id("req")

    fault = sandbox.take_fault("anthropic", path)
    if fault is not None:
        return _fault_response(fault, request, request_id)

    try:
        body = _json_body(request)
        if request.method == "POST" and path == MESSAGES_PATH:
            return create_message(sandbox, body, request_id)
        if request.method == "POST" and path == COUNT_TOKENS_PATH:
            return count_tokens(sandbox, body, request_id)
        if path.startswith(BATCHES_PATH):
            from costkit.sandbox import anthropic_batches

            status, payload, content_type = anthropic_batches.handle(sandbox, request.method, path, body, request.url.params)
            if content_type == "application/json":
                return _json_response(status, request_id, payload)
            return _response(status, request_id, payload, content_type=content_type)
        raise SandboxAPIError(
            404,
            f"Not found: {request.method} {path}. The sandbox serves {MESSAGES_PATH}, {COUNT_TOKENS_PATH} and {BATCHES_PATH}",
        )
    except SandboxAPIError as error:
        logger.debug("anthropic %s %s -> %s %s (request %s)", request.method, path, error.status_code, error, request_id)
        return error_response(error, request_id=request_id)


def prompt_cache(sandbox: Sandbox) -> PromptCache:
    """Return the Anthropic prompt cache of ``sandbox``, e.g. to inspect or clear its entries."""
    return sandbox.provider_state(PROMPT_CACHE_STATE, PromptCache)


def create_message(sandbox: Sandbox, body: Mapping[str, Any], request_id: str) -> httpx2.Response:
    """Serve ``POST /v1/messages`` with a message object, or an event stream when ``stream`` is true."""
    message = build_message(sandbox, body)
    if body.get("stream"):
        stream = "".join(stream_events(message))
        return _response(200, request_id, stream.encode(), content_type="text/event-stream")
    return _json_response(200, request_id, message)


def build_message(sandbox: Sandbox, body: Mapping[str, Any], *, service_tier: str = "standard") -> dict[str, Any]:
    """Return the message object that answers a Messages API request body, billing the prompt cache.

    Raise :class:`SandboxAPIError` where the API would reject the request.
    """
    model, price = _resolve_model(body)
    max_tokens = _max_tokens(body, price, model)
    blocks = _render(body, model)
    prompt_tokens = sum(block.tokens for block in blocks)
    _check_context_window(prompt_tokens, price, model)

    output_limit = max_tokens
    if price.context_window is not None:
        output_limit = min(max_tokens, price.context_window - prompt_tokens)
    content, stop_reason, stop_sequence, output_tokens = _answer(sandbox, body, model, output_limit)
    if stop_reason == "max_tokens" and output_limit < max_tokens:
        stop_reason = "model_context_window_exceeded"

    # The cache is billed only after the reply is generated, so a failing responder writes nothing.
    billed = prompt_cache(sandbox).apply(
        price.model,
        blocks,
        now=sandbox.clock.now(),
        min_cacheable_tokens=price.min_cacheable_tokens or DEFAULT_MIN_CACHEABLE_TOKENS,
    )
    message = {
        "id": sandbox.next_id("msg"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": stop_sequence,
        "usage": usage_object(billed, output_tokens, service_tier=service_tier),
    }
    logger.debug(
        "anthropic message %s for %s: %s input, %s cache read, %s cache write, %s output",
        message["id"],
        model,
        billed.input_tokens,
        billed.cache_read_input_tokens,
        billed.cache_creation_input_tokens,
        output_tokens,
    )
    return message


def count_tokens(sandbox: Sandbox, body: Mapping[str, Any], request_id: str) -> httpx2.Response:
    """Serve ``POST /v1/messages/count_tokens`` without touching the prompt cache."""
    model, _ = _resolve_model(body)
    blocks = _render(body, model)
    return _json_response(200, request_id, {"input_tokens": sum(block.tokens for block in blocks)})


def usage_object(billed: CacheResult, output_tokens: int, *, service_tier: str = "standard") -> dict[str, Any]:
    """Return the ``usage`` object of a message: disjoint input buckets and the output tokens.

    ``service_tier`` is "batch" for a message produced by a Message Batch, which bills at batch prices.
    """
    return {
        "input_tokens": billed.input_tokens,
        "cache_creation_input_tokens": billed.cache_creation_input_tokens,
        "cache_read_input_tokens": billed.cache_read_input_tokens,
        "cache_creation": {
            "ephemeral_5m_input_tokens": billed.ephemeral_5m_input_tokens,
            "ephemeral_1h_input_tokens": billed.ephemeral_1h_input_tokens,
        },
        "output_tokens": output_tokens,
        "service_tier": service_tier,
    }


def stream_events(message: Mapping[str, Any]) -> Iterator[str]:
    """Yield the server-sent events that stream ``message``, in the API's order.

    ``message_start`` carries the input usage and one output token, each content block streams as
    start, deltas and stop, and ``message_delta`` carries the stop reason and the final usage.
    """
    start_usage = {**message["usage"], "output_tokens": MIN_OUTPUT_TOKENS}
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None, "usage": start_usage}
    yield _event("message_start", {"type": "message_start", "message": start})

    for index, block in enumerate(message["content"]):
        if block["type"] == "text":
            opening = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": piece} for piece in _chunks(block["text"])]
        else:
            opening = {**block, "input": {}}
            deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in _chunks(json.dumps(block["input"]))]
        yield _event("content_block_start", {"type": "content_block_start", "index": index, "content_block": opening})
        if index == 0:
            yield _event("ping", {"type": "ping"})
        for delta in deltas:
            yield _event("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
        yield _event("content_block_stop", {"type": "content_block_stop", "index": index})

    usage = message["usage"]
    final_usage = {key: usage[key] for key in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens")}
    delta = {"stop_reason": message["stop_reason"], "stop_sequence": message["stop_sequence"]}
    yield _event("message_delta", {"type": "message_delta", "delta": delta, "usage": final_usage})
    yield _event("message_stop", {"type": "message_stop"})


def error_response(error: SandboxAPIError, *, request_id: str) -> httpx2.Response:
    """Render ``error`` in Anthropic's error shape, with its status and headers."""
    error_type = ANTHROPIC_ERROR_TYPES.get(error.status_code, "api_error")
    body = {"type": "error", "error": {"type": error_type, "message": error.message}, "request_id": request_id}
    response = _json_response(error.status_code, request_id, body)
    response.headers.update(error.headers)
    return response


# Request checks ------------------------------------------------------------------------------


def _json_body(request: httpx2.Request) -> dict[str, Any]:
    if not request.content:
        return {}
    try:
        body = json.loads(request.content)
    except ValueError as error:
        raise SandboxAPIError(400, f"The request body is not valid JSON ({error}); send a JSON object") from None
    if not isinstance(body, dict):
        raise SandboxAPIError(400, f"The request body must be a JSON object, got {type(body).__name__}")
    return body


def _resolve_model(body: Mapping[str, Any]) -> tuple[str, ModelPrice]:
    from costkit.errors import UnknownModelError
    from costkit.pricing import PriceTable

    model = body.get("model")
    if model is None:
        raise SandboxAPIError(400, "model: Field required. Pass a Claude model id, e.g. model='claude-sonnet-4-6'")
    if not isinstance(model, str) or not model:
        raise SandboxAPIError(400, f"model: Input should be a non-empty string, got {model!r}")

    try:
        price = PriceTable.default().get(model)
    except UnknownModelError as error:
        hint = f" Did you mean {', '.join(repr(name) for name in error.suggestions)}?" if error.suggestions else ""
        raise SandboxAPIError(404, f"model: {model!r} was not found.{hint} Use a Claude model from the price table") from None
    if price.provider != "anthropic":
        raise SandboxAPIError(
            404, f"model: {model!r} was not found: it is a {price.provider} model. Use a Claude model such as 'claude-sonnet-4-6'"
        )
    return model, price


def _max_tokens(body: Mapping[str, Any], price: ModelPrice, model: str) -> int:
    max_tokens = body.get("max_tokens")
    if max_tokens is None:
        raise SandboxAPIError(
            400, "max_tokens: Field required. Pass the maximum number of output tokens, e.g. max_tokens=1024"
        )
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise SandboxAPIError(400, f"max_tokens: Input should be an integer of at least 1, got {max_tokens!r}")
    if price.max_output_tokens is not None and max_tokens > price.max_output_tokens:
        raise SandboxAPIError(
            400,
            f"max_tokens: {max_tokens} > {price.max_output_tokens}, which is the maximum allowed number of "
            f"output tokens for {model}. Lower max_tokens",
        )
    return max_tokens


def _render(body: Mapping[str, Any], model: str) -> list[Any]:
    messages = body.get("messages")
    if messages is None:
        raise SandboxAPIError(
            400, "messages: Field required. Pass a list such as [{'role': 'user', 'content': 'Hello'}]"
        )
    if isinstance(messages, list) and not messages:
        raise SandboxAPIError(400, "messages: at least one message is required")
    _check_tool_choice(body)
    try:
        return render_prompt(body, model)
    except PromptError as error:
        raise SandboxAPIError(400, str(error)) from None


def _check_tool_choice(body: Mapping[str, Any]) -> None:
    choice = body.get("tool_choice")
    if not isinstance(choice, Mapping) or choice.get("type") not in ("any", "tool"):
        return
    names = [tool.get("name") for tool in body.get("tools") or [] if isinstance(tool, Mapping)]
    if not names:
        raise SandboxAPIError(400, f"tool_choice: {choice['type']!r} needs at least one tool in 'tools'")
    if choice["type"] == "tool" and choice.get("name") not in names:
        raise SandboxAPIError(
            400, f"tool_choice.name: {choice.get('name')!r} is not one of the tools ({', '.join(map(repr, names))})"
        )


def _check_context_window(prompt_tokens: int, price: ModelPrice, model: str) -> None:
    window = price.context_window
    if window is not None and prompt_tokens >= window:
        raise SandboxAPIError(
            400, f"prompt is too long: {prompt_tokens} tokens > {window} maximum for {model}. Shorten the prompt"
        )


# Answers -------------------------------------------------------------------------------------


def _answer(sandbox: Sandbox, body: Mapping[str, Any], model: str, output_limit: int) -> tuple[list[dict[str, Any]], str, str | None, int]:
    """Return (content blocks, stop reason, stop sequence, output tokens) for one request."""
    forced = _forced_tool(body)
    if forced is not None:
        return _tool_use_answer(sandbox, forced, model, output_limit)

    text = _answer_text(sandbox, body, model)
    stop_reason, stop_sequence = "end_turn", None
    cut = _first_stop_sequence(text, body.get("stop_sequences"))
    if cut is not None:
        text, stop_sequence = text[: cut[0]], cut[1]
        stop_reason = "stop_sequence"

    from costkit.encodings import encoding_for_model

    tokens = encoding_for_model(model).encode(text)
    if len(tokens) > output_limit:
        text = encoding_for_model(model).decode(tokens[:output_limit])
        tokens = tokens[:output_limit]
        stop_reason, stop_sequence = "max_tokens", None
    return [{"type": "text", "text": text}], stop_reason, stop_sequence, max(MIN_OUTPUT_TOKENS, len(tokens))


def _answer_text(sandbox: Sandbox, body: Mapping[str, Any], model: str) -> str:
    messages = tuple(
        {"role": str(message.get("role")), "content": flatten_text(message.get("content"))} for message in body["messages"]
    )
    system = flatten_text(body.get("system") or "")
    responder = sandbox.responder_for(model)
    if responder is None:
        prompt = "\n".join([system, *(message["content"] for message in messages)])
        return placeholder_answer(model, prompt)

    try:
        text = responder(ResponderRequest(provider="anthropic", model=model, messages=messages, system=system))
    except Exception as error:  # a responder is user code: report its failure as the API would
        logger.warning("responder for %s raised %r", model, error)
        raise SandboxAPIError(
            500, f"the responder registered for {model!r} raised {error!r}; fix the responder function",
            headers={"x-should-retry": "false"},
        ) from error
    if not isinstance(text, str):
        raise SandboxAPIError(
            500, f"the responder registered for {model!r} returned {type(text).__name__}, not str",
            headers={"x-should-retry": "false"},
        )
    return text


def _forced_tool(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    choice = body.get("tool_choice")
    if not isinstance(choice, Mapping) or choice.get("type") not in ("any", "tool"):
        return None
    tools = [tool for tool in body.get("tools") or [] if isinstance(tool, Mapping)]
    if choice["type"] == "tool":
        return next(tool for tool in tools if tool.get("name") == choice.get("name"))
    return tools[0]


def _tool_use_answer(
    sandbox: Sandbox, tool: Mapping[str, Any], model: str, output_limit: int
) -> tuple[list[dict[str, Any]], str, str | None, int]:
    from costkit.sandbox.openai_structured import instance_from_schema
    from costkit.tokens import count_tokens

    schema = tool.get("input_schema") or {"type": "object", "properties": {}}
    tool_input = instance_from_schema(schema, today=sandbox.clock.datetime())
    block = {"type": "tool_use", "id": sandbox.next_id("toolu"), "name": tool["name"], "input": tool_input}
    tokens = count_tokens(json.dumps({"name": tool["name"], "input": tool_input}), model)
    # NOTE: a tool call longer than max_tokens keeps its whole input here; the real API would cut it.
    if tokens > output_limit:
        return [block], "max_tokens", None, output_limit
    return [block], "tool_use", None, tokens


def _first_stop_sequence(text: str, stop_sequences: Any) -> tuple[int, str] | None:
    if not stop_sequences:
        return None
    if not isinstance(stop_sequences, list) or not all(isinstance(item, str) and item for item in stop_sequences):
        raise SandboxAPIError(400, f"stop_sequences: Input should be a list of non-empty strings, got {stop_sequences!r}")
    found = [(text.find(sequence), sequence) for sequence in stop_sequences if sequence in text]
    return min(found) if found else None


# Responses -----------------------------------------------------------------------------------


def _fault_response(fault: Fault, request: httpx2.Request, request_id: str) -> httpx2.Response:
    logger.info("anthropic %s: injected %s fault (request %s)", request.url.path, fault.kind, request_id)
    if fault.kind == "timeout":
        raise httpx2.ReadTimeout("sandbox: injected read timeout", request=request)

    status = FAULT_STATUS[fault.kind]
    messages = {
        429: "Number of request tokens has exceeded your per-minute rate limit (injected by the sandbox). "
        "Retry after the time in the retry-after header",
        500: "Internal server error (injected by the sandbox). Retry the request",
        529: "Overloaded (injected by the sandbox). Retry the request later",
    }
    headers = {"retry-after": _seconds_text(fault.retry_after)} if status == 429 else {}
    return error_response(SandboxAPIError(status, messages[status], headers=headers), request_id=request_id)


def _seconds_text(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else repr(float(seconds))


def _json_response(status: int, request_id: str, payload: Any) -> httpx2.Response:
    return _response(status, request_id, json.dumps(payload).encode(), content_type="application/json")


def _response(status: int, request_id: str, content: bytes, *, content_type: str) -> httpx2.Response:
    headers = {"content-type": content_type, "request-id": request_id}
    return httpx2.Response(status, headers=headers, content=content)


def _event(name: str, data: Mapping[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


def _chunks(text: str) -> list[str]:
    """Split ``text`` into stream deltas of a few words each; joined, they give ``text`` back."""
    pieces = re.findall(r"(?:\S+\s*){1,6}|\s+", text)
    return pieces or [""]
