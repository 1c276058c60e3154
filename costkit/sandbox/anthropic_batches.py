"""Anthropic Message Batches in the sandbox: create, retrieve, list, cancel, results and delete.

A batch runs on the sandbox clock. It stays ``in_progress`` until :data:`PROCESSING_SECONDS` of
simulated time have passed since it was created, and the first read after that ends it. Each
request is then answered as ``POST /v1/messages`` would answer it, through the same prompt cache,
with ``usage.service_tier = "batch"`` so that :func:`costkit.cost_of` prices it at batch rates.
A request that the Messages API would reject becomes an ``errored`` result while the rest of the
batch succeeds. Cancelling a batch before it ends turns every request into a ``canceled`` result.

NOTE: requests never expire here, because every batch ends long before the 24-hour limit.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from costkit.sandbox.core import ANTHROPIC_BASE_URL
from costkit.sandbox.errors import SandboxAPIError

if TYPE_CHECKING:
    from costkit.sandbox.core import Sandbox

BATCHES_PATH = "/v1/messages/batches"

#: Simulated seconds a batch stays in progress. Real batches end within 24 hours and usually
#: within one, so this is a choice that keeps lessons short, not a measured figure.
PROCESSING_SECONDS = 300.0
#: Time after creation at which the API expires unfinished requests (24 hours). Only ``expires_at`` shows it.
EXPIRY_SECONDS = 24 * 3600.0
#: Maximum number of requests in one batch, the API's limit.
MAX_REQUESTS = 100_000

_CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_STATE = "anthropic.batches"


@dataclass
class Batch:
    """One Message Batch: its requests, its status and, once ended, one result per request."""

    id: str
    created_at: float
    requests: list[tuple[str, dict[str, Any]]]
    processing_status: str = "in_progress"
    ended_at: float | None = None
    cancel_initiated_at: float | None = None
    results: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class BatchStore:
    """Every batch of one sandbox, by id."""

    batches: dict[str, Batch] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def handle(sandbox: Sandbox, method: str, path: str, body: Mapping[str, Any], params: Mapping[str, str]) -> tuple[int, Any, str]:
    """Serve one request under ``/v1/messages/batches`` and return (status, payload, content type).

    The payload is a JSON-ready object, or bytes for the JSONL results. Raise
    :class:`SandboxAPIError` for an unknown batch or a request the API would reject.
    """
    store = sandbox.provider_state(_STATE, BatchStore)
    parts = [part for part in path[len(BATCHES_PATH) :].split("/") if part]

    if not parts and method == "POST":
        return 200, _batch_object(_create(sandbox, store, body)), "application/json"
    if not parts and method == "GET":
        return 200, _list(sandbox, store, params), "application/json"

    batch_id = parts[0] if parts else ""
    with store.lock:
        batch = store.batches.get(batch_id)
    if batch is None:
        raise SandboxAPIError(404, f"message batch {batch_id!r} was not found; use the id that batches.create returned")
    _settle(sandbox, store, batch)

    action = parts[1] if len(parts) > 1 else ""
    if action == "" and method == "GET":
        return 200, _batch_object(batch), "application/json"
    if action == "" and method == "DELETE":
        return 200, _delete(store, batch), "application/json"
    if action == "cancel" and method == "POST":
        return 200, _batch_object(_cancel(sandbox, batch)), "application/json"
    if action == "results" and method == "GET":
        return 200, _results(batch), "application/x-jsonl"
    raise SandboxAPIError(404, f"Not found: {method} {path}")


# Steps ---------------------------------------------------------------------------------------


def _create(sandbox: Sandbox, store: BatchStore, body: Mapping[str, Any]) -> Batch:
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise SandboxAPIError(400, "requests: Field required. Pass a non-empty list of {'custom_id': ..., 'params': {...}}")
    if len(requests) > MAX_REQUESTS:
        raise SandboxAPIError(400, f"requests: {len(requests)} requests exceed the limit of {MAX_REQUESTS} per batch; split the batch")

    seen: set[str] = set()
    parsed: list[tuple[str, dict[str, Any]]] = []
    for index, item in enumerate(requests):
        custom_id = item.get("custom_id") if isinstance(item, Mapping) else None
        if not isinstance(custom_id, str) or not _CUSTOM_ID.match(custom_id):
            raise SandboxAPIError(
                400, f"requests.{index}.custom_id: invalid value {custom_id!r}; use 1 to 64 letters, digits, '-' or '_'"
            )
        if custom_id in seen:
            raise SandboxAPIError(400, f"requests.{index}.custom_id: duplicate custom_id {custom_id!r}; each request needs its own")
        params = item.get("params")
        if not isinstance(params, Mapping):
            raise SandboxAPIError(400, f"requests.{index}.params: Field required. Pass the Messages API parameters")
        seen.add(custom_id)
        parsed.append((custom_id, dict(params)))

    batch = Batch(id=sandbox.next_id("msgbatch"), created_at=sandbox.clock.now(), requests=parsed)
    with store.lock:
        store.batches[batch.id] = batch
    return batch


def _settle(sandbox: Sandbox, store: BatchStore, batch: Batch) -> None:
    """End ``batch`` if its processing time has passed or a cancel is pending."""
    with store.lock:
        _settle_locked(sandbox, batch)


def _settle_locked(sandbox: Sandbox, batch: Batch) -> None:
    from costkit.sandbox.anthropic_api import build_message

    now = sandbox.clock.now()
    if batch.processing_status == "ended":
        return
    if batch.processing_status == "canceling":
        batch.results = [{"custom_id": custom_id, "result": {"type": "canceled"}} for custom_id, _ in batch.requests]
    elif now >= batch.created_at + PROCESSING_SECONDS:
        batch.results = []
        for custom_id, params in batch.requests:
            try:
                if params.get("stream"):
                    raise SandboxAPIError(400, "stream: streaming is not supported in a batch; remove stream=True")
                message = build_message(sandbox, params, service_tier="batch")
            except SandboxAPIError as error:
                body = {"type": "error", "error": {"type": _error_type(error.status_code), "message": error.message}}
                batch.results.append({"custom_id": custom_id, "result": {"type": "errored", "error": body}})
            else:
                batch.results.append({"custom_id": custom_id, "result": {"type": "succeeded", "message": message}})
    else:
        return
    batch.processing_status = "ended"
    batch.ended_at = now


def _cancel(sandbox: Sandbox, batch: Batch) -> Batch:
    if batch.processing_status == "in_progress":
        batch.processing_status = "canceling"
        batch.cancel_initiated_at = sandbox.clock.now()
    return batch


def _delete(store: BatchStore, batch: Batch) -> dict[str, str]:
    if batch.processing_status != "ended":
        raise SandboxAPIError(400, f"message batch {batch.id!r} is still {batch.processing_status}; cancel it before deleting it")
    with store.lock:
        store.batches.pop(batch.id, None)
    return {"id": batch.id, "type": "message_batch_deleted"}


def _results(batch: Batch) -> bytes:
    if batch.processing_status != "ended":
        raise SandboxAPIError(400, f"message batch {batch.id!r} is still {batch.processing_status}; results exist once it has ended")
    return "".join(json.dumps(result) + "\n" for result in batch.results).encode()


def _list(sandbox: Sandbox, store: BatchStore, params: Mapping[str, str]) -> dict[str, Any]:
    with store.lock:
        batches = list(reversed(store.batches.values()))  # newest first, as the API lists them
    for batch in batches:
        _settle(sandbox, store, batch)

    try:
        limit = int(params.get("limit", "20"))
    except ValueError:
        raise SandboxAPIError(400, f"limit: Input should be an integer, got {params.get('limit')!r}") from None
    if not 1 <= limit <= 1000:
        raise SandboxAPIError(400, f"limit: Input should be between 1 and 1000, got {limit}")
    after_id = params.get("after_id")
    if after_id is not None:
        ids = [batch.id for batch in batches]
        batches = batches[ids.index(after_id) + 1 :] if after_id in ids else []
    page = batches[:limit]
    return {
        "data": [_batch_object(batch) for batch in page],
        "has_more": len(batches) > limit,
        "first_id": page[0].id if page else None,
        "last_id": page[-1].id if page else None,
    }


# Wire format ---------------------------------------------------------------------------------


def _batch_object(batch: Batch) -> dict[str, Any]:
    kinds = [result["result"]["type"] for result in batch.results]
    ended = batch.processing_status == "ended"
    return {
        "id": batch.id,
        "type": "message_batch",
        "processing_status": batch.processing_status,
        "request_counts": {
            "processing": 0 if ended else len(batch.requests),
            "succeeded": kinds.count("succeeded"),
            "errored": kinds.count("errored"),
            "canceled": kinds.count("canceled"),
            "expired": kinds.count("expired"),
        },
        "created_at": _timestamp(batch.created_at),
        "expires_at": _timestamp(batch.created_at + EXPIRY_SECONDS),
        "ended_at": _timestamp(batch.ended_at),
        "cancel_initiated_at": _timestamp(batch.cancel_initiated_at),
        "archived_at": None,
        "results_url": f"{ANTHROPIC_BASE_URL}{BATCHES_PATH}/{batch.id}/results" if ended else None,
    }


def _timestamp(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def _error_type(status: int) -> str:
    from costkit.sandbox.anthropic_api import ANTHROPIC_ERROR_TYPES

    return ANTHROPIC_ERROR_TYPES.get(status, "api_error")
