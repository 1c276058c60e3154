"""Chat Completions and Responses in the sandbox: placeholder answers with billing-faithful usage.

Both endpoints share one pipeline. A request is parsed into :class:`ChatRequest`, checked the way
the real API checks it, counted (``prompt_tokens`` from :func:`costkit.tokens.count_message_tokens`),
looked up in the simulated prompt cache, and answered once per choice. Only the wire shape differs.

Answers come from the model's responder when one is registered, else from
:func:`costkit.sandbox.answers.placeholder_answer`. Reasoning models (o1, o3, o4 and gpt-5
families) also report ``reasoning_tokens``: a deterministic count between 192 and 640 tokens at
``reasoning_effort="medium"``, scaled by :data:`REASONING_EFFORT_FACTORS`. These counts are
invented for the sandbox, but they are billed as output tokens and fill ``max_completion_tokens``
as real reasoning tokens do.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from costkit.encodings import encoding_for_model
from costkit.errors import InvalidMessageError, UnknownModelError
from costkit.pricing import ModelPrice, PriceTable
from costkit.sandbox.answers import placeholder_answer
from costkit.sandbox.core import ResponderRequest
from costkit.sandbox.errors import SandboxAPIError, invalid_request, missing_parameter
from costkit.sandbox.openai_requests import ChatRequest, is_reasoning_model, parse_chat_body, parse_responses_body
from costkit.sandbox.openai_structured import choose_tool, function_tools, json_answer, tool_arguments
from costkit.sandbox.prompt_cache import PromptCache, render_prompt
from costkit.tokens import count_message_tokens

if TYPE_CHECKING:
    import tiktoken

    from costkit.sandbox.core import Sandbox

logger = logging.getLogger("costkit.sandbox")

#: The ``system_fingerprint`` of every sandbox completion, so sandbox output is never mistaken for a model's.
SYSTEM_FINGERPRINT = "fp_costkit_sandbox"

#: How much each ``reasoning_effort`` scales the sandbox's base reasoning length.
REASONING_EFFORT_FACTORS: dict[str, float] = {"none": 0.0, "minimal": 0.0, "low": 0.5, "medium": 1.0, "high": 2.5}

#: Tokens a function call adds to the output beyond its name and arguments (an estimate).
TOOL_CALL_OUTPUT_OVERHEAD = 3


@dataclass
class Choice:
    """One generated answer: text or a function call, with its output token counts."""

    text: str | None
    tool_call: dict[str, str] | None
    finish_reason: str
    output_tokens: int
    reasoning_tokens: int


@dataclass
class Completion:
    """The result of a request before it is shaped for an endpoint."""

    request: ChatRequest
    prompt_tokens: int
    cached_tokens: int
    choices: list[Choice]

    @property
    def completion_tokens(self) -> int:
        """Output tokens of every choice, reasoning included."""
        return sum(choice.output_tokens + choice.reasoning_tokens for choice in self.choices)

    @property
    def reasoning_tokens(self) -> int:
        """Reasoning tokens of every choice (a subset of :attr:`completion_tokens`)."""
        return sum(choice.reasoning_tokens for choice in self.choices)


def create_chat_completion(sandbox: Sandbox, body: Any, *, now: float | None = None) -> dict[str, Any]:
    """Run a ``POST /v1/chat/completions`` body and return the ``chat.completion`` object.

    Raises :class:`SandboxAPIError` wherever the real API returns an error status.
    """
    request = parse_chat_body(body)
    completion = complete(sandbox, request, now=now)
    return chat_completion_object(sandbox, completion, created=int(sandbox.clock.now() if now is None else now))


def create_response(sandbox: Sandbox, body: Any, *, now: float | None = None) -> dict[str, Any]:
    """Run a ``POST /v1/responses`` body and return the ``response`` object.

    Raises :class:`SandboxAPIError` wherever the real API returns an error status.
    """
    request = parse_responses_body(body)
    completion = complete(sandbox, request, now=now)
    return response_object(sandbox, completion, body, created=int(sandbox.clock.now() if now is None else now))


def resolve_model(model: Any, *, endpoint: str, mode: str = "chat") -> ModelPrice:
    """Return the price-table row of an OpenAI ``model`` served at ``endpoint``.

    Raises a 404 ``model_not_found`` error for models that OpenAI does not serve (unknown ids and
    other providers' models) and a 404 for a model of the wrong kind, e.g. an embedding model sent
    to Chat Completions, as the real API does.
    """
    if not isinstance(model, str) or not model:
        raise missing_parameter("model")
    try:
        price = PriceTable.default().get(model)
    except UnknownModelError:
        price = None
    if price is None or price.provider != "openai":
        raise SandboxAPIError(
            404,
            f"The model `{model}` does not exist or you do not have access to it. "
            "The sandbox serves the OpenAI models of costkit's price table (PriceTable.default().models()).",
            param="model",
            code="model_not_found",
        )
    if price.mode != mode:
        raise SandboxAPIError(
            404,
            f"The model `{model}` is a {price.mode} model and is not supported by the {endpoint} endpoint.",
            param="model",
        )
    return price


# The shared pipeline ------------------------------------------------------------------------


def complete(sandbox: Sandbox, request: ChatRequest, *, now: float | None = None) -> Completion:
    """Count, cache and answer ``request``. Raises :class:`SandboxAPIError` as the real API would."""
    price = resolve_model(request.model, endpoint="chat completions")
    _check_limits(request, price)
    encoding = encoding_for_model(price.model)

    try:
        prompt_tokens = count_message_tokens(request.messages, price.model, tools=request.tools or None)
    except InvalidMessageError as error:
        raise invalid_request(f"Invalid 'messages': {error}", param="messages", code="invalid_value") from error

    _check_context_window(request, price, prompt_tokens)

    cache: PromptCache = sandbox.provider_state("openai.prompt_cache", PromptCache)
    rendered = render_prompt(request.messages, tools=request.tools, schema=request.schema)
    cached_tokens = cache.lookup_and_store(
        price.model,
        encoding.encode_ordinary(rendered),
        prompt_tokens=prompt_tokens,
        now=sandbox.clock.now() if now is None else now,
        cache_key=request.prompt_cache_key,
        retention=request.prompt_cache_retention,
    )

    choices = [_answer(sandbox, request, encoding, index) for index in range(request.n)]
    return Completion(request, prompt_tokens, cached_tokens, choices)


def chat_completion_object(sandbox: Sandbox, completion: Completion, *, created: int) -> dict[str, Any]:
    """Shape ``completion`` as a ``chat.completion`` object."""
    choices = []
    for index, choice in enumerate(completion.choices):
        message: dict[str, Any] = {"role": "assistant", "content": choice.text, "refusal": None, "annotations": []}
        if choice.tool_call is not None:
            message["tool_calls"] = [
                {
                    "id": choice.tool_call["id"],
                    "type": "function",
                    "function": {"name": choice.tool_call["name"], "arguments": choice.tool_call["arguments"]},
                }
            ]
        choices.append({"index": index, "message": message, "logprobs": None, "finish_reason": choice.finish_reason})

    return {
        "id": sandbox.next_id("chatcmpl"),
        "object": "chat.completion",
        "created": created,
        "model": completion.request.model,
        "choices": choices,
        "usage": chat_usage(completion),
        "service_tier": "default",
        "system_fingerprint": SYSTEM_FINGERPRINT,
    }


def chat_usage(completion: Completion) -> dict[str, Any]:
    """Return Chat Completions ``usage``: ``prompt_tokens`` includes ``cached_tokens``."""
    return {
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "total_tokens": completion.prompt_tokens + completion.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": completion.cached_tokens, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": completion.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def response_object(sandbox: Sandbox, completion: Completion, body: Mapping[str, Any], *, created: int) -> dict[str, Any]:
    """Shape ``completion`` as a Responses API ``response`` object."""
    choice = completion.choices[0]
    output: list[dict[str, Any]] = []
    if choice.reasoning_tokens:
        output.append({"id": sandbox.next_id("rs"), "type": "reasoning", "summary": []})

    status = "incomplete" if choice.finish_reason == "length" else "completed"
    if choice.tool_call is not None:
        output.append(
            {
                "id": sandbox.next_id("fc"),
                "type": "function_call",
                "call_id": choice.tool_call["id"],
                "name": choice.tool_call["name"],
                "arguments": choice.tool_call["arguments"],
                "status": status,
            }
        )
    elif choice.text:
        output.append(
            {
                "id": sandbox.next_id("msg"),
                "type": "message",
                "status": status,
                "role": "assistant",
                "content": [{"type": "output_text", "text": choice.text, "annotations": [], "logprobs": []}],
            }
        )

    return {
        "id": sandbox.next_id("resp"),
        "object": "response",
        "created_at": created,
        "status": status,
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if status == "incomplete" else None,
        "instructions": body.get("instructions"),
        "max_output_tokens": completion.request.output_limit,
        "model": completion.request.model,
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": completion.request.reasoning_effort, "summary": None},
        "service_tier": "default",
        "store": bool(body.get("store", True)),
        "temperature": body.get("temperature", 1.0),
        "text": body.get("text") or {"format": {"type": "text"}},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": list(body.get("tools") or []),
        "top_p": body.get("top_p", 1.0),
        "truncation": "disabled",
        "usage": {
            "input_tokens": completion.prompt_tokens,
            "input_tokens_details": {"cached_tokens": completion.cached_tokens, "cache_write_tokens": 0},
            "output_tokens": completion.completion_tokens,
            "output_tokens_details": {"reasoning_tokens": completion.reasoning_tokens},
            "total_tokens": completion.prompt_tokens + completion.completion_tokens,
        },
        "user": None,
        "metadata": dict(body.get("metadata") or {}),
    }


def chat_stream_events(completion: dict[str, Any], *, include_usage: bool) -> bytes:
    """Return the server-sent events that stream the ``chat.completion`` object ``completion``.

    Each choice streams a role chunk, content (or tool-call argument) pieces and a chunk with its
    ``finish_reason``. With ``include_usage`` every chunk carries ``"usage": null`` and a last
    chunk with empty ``choices`` carries the usage. The stream ends with ``data: [DONE]``.
    """
    base = {
        "id": completion["id"],
        "object": "chat.completion.chunk",
        "created": completion["created"],
        "model": completion["model"],
        "service_tier": completion["service_tier"],
        "system_fingerprint": completion["system_fingerprint"],
    }
    chunks: list[dict[str, Any]] = []

    def add(index: int, delta: dict[str, Any], finish_reason: str | None = None) -> None:
        chunk = {**base, "choices": [{"index": index, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]}
        if include_usage:
            chunk["usage"] = None
        chunks.append(chunk)

    for choice in completion["choices"]:
        index, message = choice["index"], choice["message"]
        add(index, {"role": "assistant", "content": "", "refusal": None})
        for call in message.get("tool_calls") or []:
            header = {"index": 0, "id": call["id"], "type": "function", "function": {"name": call["function"]["name"], "arguments": ""}}
            add(index, {"tool_calls": [header]})
            for piece in _pieces(call["function"]["arguments"], 16):
                add(index, {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
        for piece in re.findall(r"\s*\S+(?:\s+\S+){0,2}", message.get("content") or ""):
            add(index, {"content": piece})
        add(index, {}, choice["finish_reason"])

    if include_usage:
        chunks.append({**base, "choices": [], "usage": completion["usage"]})

    events = [f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n" for chunk in chunks]
    events.append("data: [DONE]\n\n")
    return "".join(events).encode()


# Answers ------------------------------------------------------------------------------------


def _answer(sandbox: Sandbox, request: ChatRequest, encoding: tiktoken.Encoding, index: int) -> Choice:
    """Write choice number ``index``: a function call or text, then apply stop sequences and the output limit."""
    functions = function_tools(request.tools)
    last = request.messages[-1] if request.messages else {}
    responder_request = _responder_request(request)
    function = choose_tool(
        functions,
        request.tool_choice,
        last_role=last.get("role") if isinstance(last, Mapping) else None,
        last_user_text=responder_request.last_user_text,
    )
    today = sandbox.clock.datetime()
    reasoning_tokens = _reasoning_tokens(request, responder_request, index)
    limit = request.output_limit

    # Reasoning comes first and counts against the output limit, so it can use up the whole limit.
    if limit is not None and reasoning_tokens >= limit:
        return Choice("" if function is None else None, None, "length", 0, limit)

    if function is not None:
        call_overhead = len(encoding.encode_ordinary(function["name"])) + TOOL_CALL_OUTPUT_OVERHEAD
        arguments, argument_tokens, finish = _apply_limit(
            tool_arguments(function, today=today), encoding, limit, reasoning_tokens + call_overhead, "tool_calls"
        )
        output_tokens = argument_tokens + call_overhead
        if limit is not None:
            output_tokens = min(output_tokens, limit - reasoning_tokens)
        call = {"id": sandbox.next_id("call"), "name": function["name"], "arguments": arguments}
        return Choice(None, call, finish, output_tokens, reasoning_tokens)

    text = _answer_text(sandbox, request, responder_request, index)
    if request.json_kind is not None:
        text = json_answer(text, schema=request.schema, today=today)
    for stop in request.stop:
        if stop in text:
            text = text[: text.index(stop)]

    text, output_tokens, finish = _apply_limit(text, encoding, limit, reasoning_tokens, "stop")
    return Choice(text, None, finish, output_tokens, reasoning_tokens)


def _answer_text(sandbox: Sandbox, request: ChatRequest, responder_request: ResponderRequest, index: int) -> str:
    responder = sandbox.responder_for(request.model)
    if responder is None:
        conversation = "\n".join(f"{m['role']}: {m['content']}" for m in responder_request.messages)
        prompt = responder_request.system + "\n" + conversation + (f"\n(choice {index})" if index else "")
        return placeholder_answer(request.model, prompt)

    try:
        text = responder(responder_request)
    except Exception as error:  # a user's responder may raise anything: report it as a server error
        logger.warning("responder for %s raised %s: %s", request.model, type(error).__name__, error)
        raise SandboxAPIError(
            500,
            f"The sandbox responder for model {request.model!r} raised {type(error).__name__}: {error}. "
            "Fix the responder function registered with Sandbox.add_responder.",
            code="responder_error",
            headers={"x-should-retry": "false"},
        ) from error
    if not isinstance(text, str):
        raise SandboxAPIError(
            500,
            f"The sandbox responder for model {request.model!r} returned {type(text).__name__}; it must return a str.",
            code="responder_error",
            headers={"x-should-retry": "false"},
        )
    return text


def _apply_limit(
    text: str, encoding: tiktoken.Encoding, limit: int | None, spent: int, finish: str
) -> tuple[str, int, str]:
    """Cut ``text`` to the tokens left under ``limit`` after ``spent``; return text, its tokens and finish reason."""
    tokens = encoding.encode_ordinary(text)
    if limit is None or len(tokens) + spent <= limit:
        return text, len(tokens), finish
    room = max(limit - spent, 0)
    return encoding.decode(tokens[:room]), room, "length"


def _reasoning_tokens(request: ChatRequest, responder_request: ResponderRequest, index: int) -> int:
    if not is_reasoning_model(request.model):
        return 0
    effort = request.reasoning_effort or "medium"
    seed_text = f"{request.model}\x00{responder_request.system}\x00{responder_request.messages}\x00{index}"
    seed = int.from_bytes(hashlib.sha256(seed_text.encode()).digest()[:8], "big")
    return round(random.Random(seed).randint(192, 640) * REASONING_EFFORT_FACTORS[effort])


def _responder_request(request: ChatRequest) -> ResponderRequest:
    system_parts: list[str] = []
    messages: list[dict[str, str]] = []
    for message in request.messages:
        text = _flatten_content(message.get("content"))
        if message.get("role") in ("system", "developer"):
            system_parts.append(text)
        else:
            messages.append({"role": str(message.get("role")), "content": text})
    return ResponderRequest("openai", request.model, tuple(messages), "\n".join(system_parts))


def _flatten_content(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [part.get("text", "") for part in content if isinstance(part, Mapping) and isinstance(part.get("text"), str)]
        return "\n".join(texts)
    return ""


# Checks -------------------------------------------------------------------------------------


def _check_limits(request: ChatRequest, price: ModelPrice) -> None:
    if request.reasoning_effort is not None and request.reasoning_effort not in REASONING_EFFORT_FACTORS:
        raise invalid_request(
            f"Invalid value for 'reasoning_effort': {request.reasoning_effort!r}. "
            f"Use one of {', '.join(REASONING_EFFORT_FACTORS)}.",
            param="reasoning_effort",
            code="invalid_value",
        )
    limit = request.output_limit
    if limit is not None and price.max_output_tokens is not None and limit > price.max_output_tokens:
        raise invalid_request(
            f"{request.output_limit_param} is too large: {limit}. This model supports at most "
            f"{price.max_output_tokens} completion tokens, whereas you provided {limit}.",
            param=request.output_limit_param,
            code="invalid_value",
        )


def _check_context_window(request: ChatRequest, price: ModelPrice, prompt_tokens: int) -> None:
    window = price.context_window
    if window is None:
        return
    limit = request.output_limit or 0
    if prompt_tokens + limit <= window:
        return
    if limit:
        detail = (
            f"However, you requested {prompt_tokens + limit} tokens ({prompt_tokens} in the messages, "
            f"{limit} in the completion). Please reduce the length of the messages or completion."
        )
    else:
        detail = f"However, your messages resulted in {prompt_tokens} tokens. Please reduce the length of the messages."
    raise invalid_request(
        f"This model's maximum context length is {window} tokens. {detail}",
        param="messages",
        code="context_length_exceeded",
    )


def _pieces(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]
