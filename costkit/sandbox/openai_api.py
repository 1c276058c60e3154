"""The OpenAI side of the sandbox: routes each request to its endpoint and applies injected faults.

Served endpoints, all under ``/v1``:

- ``POST /chat/completions`` (with ``stream=True`` as server-sent events) and ``POST /responses``:
  :mod:`costkit.sandbox.openai_chat`, with automatic prompt caching from
  :mod:`costkit.sandbox.prompt_cache`.
- ``POST /embeddings``: :mod:`costkit.sandbox.openai_embeddings`.
- ``/files`` and ``/batches``: :mod:`costkit.sandbox.openai_batches`.

Every request is counted in ``Sandbox.request_counts`` under ``"openai /v1/..."`` before a fault
is applied, so retries show up in the counts. Errors use OpenAI's shape
``{"error": {"message", "type", "param", "code"}}`` and carry an ``x-request-id`` header.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx2

from costkit.sandbox import openai_batches
from costkit.sandbox.errors import SandboxAPIError, invalid_request, openai_error_response
from costkit.sandbox.openai_chat import chat_stream_events, create_chat_completion, create_response
from costkit.sandbox.openai_embeddings import create_embeddings

if TYPE_CHECKING:
    from costkit.sandbox.core import Fault, Sandbox

logger = logging.getLogger("costkit.sandbox")

Handler = Callable[["Sandbox", httpx2.Request, "re.Match[str]"], httpx2.Response]


def handle(sandbox: Sandbox, request: httpx2.Request) -> httpx2.Response:
    """Serve one HTTP request sent to the sandbox's OpenAI host.

    Raises ``httpx2.ReadTimeout`` for an injected "timeout" fault, so the SDK raises
    ``openai.APITimeoutError`` after its retries.
    """
    path = request.url.path
    sandbox.count_request("openai", path)
    request_id = sandbox.next_id("req")

    fault = sandbox.take_fault("openai", path)
    if fault is not None:
        logger.info("injected %s fault on openai %s %s", fault.kind, request.method, path)
        if fault.kind == "timeout":
            raise httpx2.ReadTimeout(f"sandbox: injected timeout on {request.method} {path}", request=request)
        return openai_error_response(fault_error(fault), request_id=request_id)

    route = _find_route(request.method, path)
    try:
        if route is None:
            raise SandboxAPIError(
                404,
                f"Invalid URL ({request.method} {path}). The sandbox serves /v1/chat/completions, /v1/responses, "
                "/v1/embeddings, /v1/files and /v1/batches.",
                code="unknown_url",
            )
        handler, match = route
        response = handler(sandbox, request, match)
    except SandboxAPIError as error:
        logger.debug("openai %s %s -> %d %s", request.method, path, error.status_code, error.code)
        return openai_error_response(error, request_id=request_id)

    response.headers["x-request-id"] = request_id
    return response


def fault_error(fault: Fault) -> SandboxAPIError:
    """Return the OpenAI error that an injected fault of kind rate_limit, server_error or overloaded produces."""
    if fault.kind == "rate_limit":
        seconds = fault.retry_after
        headers = {"retry-after": _seconds_text(seconds), "retry-after-ms": str(round(seconds * 1000))}
        return SandboxAPIError(
            429,
            "Rate limit reached for requests (injected by the sandbox). "
            f"Please try again in {_seconds_text(seconds)}s.",
            type="requests",
            code="rate_limit_exceeded",
            headers=headers,
        )
    if fault.kind == "overloaded":
        return SandboxAPIError(
            503,
            "The engine is currently overloaded, please try again later (injected by the sandbox).",
            type="server_error",
            code="server_overloaded",
        )
    return SandboxAPIError(
        500,
        "The server had an error while processing your request (injected by the sandbox). Retry your request.",
        type="server_error",
        code="server_error",
    )


def json_response(payload: Any, status_code: int = 200) -> httpx2.Response:
    """Return ``payload`` as a JSON HTTP response."""
    return httpx2.Response(status_code, headers={"content-type": "application/json"}, content=json.dumps(payload).encode())


def read_json_body(request: httpx2.Request) -> Any:
    """Parse the request body as JSON, raising the API's 400 error for an unreadable body."""
    try:
        return json.loads(request.read() or b"null")
    except ValueError as error:
        raise invalid_request(
            f"We could not parse the JSON body of your request ({error}). Send a JSON object.",
            code="invalid_json",
        ) from error


# Endpoints ----------------------------------------------------------------------------------


def _chat_completions(sandbox: Sandbox, request: httpx2.Request, match: re.Match[str]) -> httpx2.Response:
    body = read_json_body(request)
    completion = create_chat_completion(sandbox, body)
    if not body.get("stream"):
        return json_response(completion)
    options = body.get("stream_options") or {}
    events = chat_stream_events(completion, include_usage=bool(options.get("include_usage")))
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=events)


def _responses(sandbox: Sandbox, request: httpx2.Request, match: re.Match[str]) -> httpx2.Response:
    body = read_json_body(request)
    if isinstance(body, dict) and body.get("stream"):
        # NOTE: Responses streaming has its own event types that the sandbox does not produce yet.
        raise invalid_request(
            "The sandbox does not stream the Responses API. Call responses.create without stream=True, "
            "or stream with chat.completions.",
            param="stream",
            code="unsupported_parameter",
        )
    return json_response(create_response(sandbox, body))


def _embeddings(sandbox: Sandbox, request: httpx2.Request, match: re.Match[str]) -> httpx2.Response:
    return json_response(create_embeddings(sandbox, read_json_body(request)))


def _adapt(handler: Callable[..., Any]) -> Handler:
    def serve(sandbox: Sandbox, request: httpx2.Request, match: re.Match[str]) -> httpx2.Response:
        result = handler(sandbox, request, **match.groupdict())
        return result if isinstance(result, httpx2.Response) else json_response(result)

    return serve


_ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    ("POST", re.compile(r"/v1/chat/completions"), _chat_completions),
    ("POST", re.compile(r"/v1/responses"), _responses),
    ("POST", re.compile(r"/v1/embeddings"), _embeddings),
    ("POST", re.compile(r"/v1/files"), _adapt(openai_batches.upload_file)),
    ("GET", re.compile(r"/v1/files"), _adapt(openai_batches.list_files)),
    ("GET", re.compile(r"/v1/files/(?P<file_id>[^/]+)"), _adapt(openai_batches.retrieve_file)),
    ("DELETE", re.compile(r"/v1/files/(?P<file_id>[^/]+)"), _adapt(openai_batches.delete_file)),
    ("GET", re.compile(r"/v1/files/(?P<file_id>[^/]+)/content"), _adapt(openai_batches.file_content)),
    ("POST", re.compile(r"/v1/batches"), _adapt(openai_batches.create_batch)),
    ("GET", re.compile(r"/v1/batches"), _adapt(openai_batches.list_batches)),
    ("GET", re.compile(r"/v1/batches/(?P<batch_id>[^/]+)"), _adapt(openai_batches.retrieve_batch)),
    ("POST", re.compile(r"/v1/batches/(?P<batch_id>[^/]+)/cancel"), _adapt(openai_batches.cancel_batch)),
]


def _find_route(method: str, path: str) -> tuple[Handler, re.Match[str]] | None:
    for route_method, pattern, handler in _ROUTES:
        match = pattern.fullmatch(path)
        if match is not None and route_method == method:
            return handler, match
    return None


def _seconds_text(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"
