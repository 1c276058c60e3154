"""Files and the Batch API in the sandbox, with the batch lifecycle driven by the sandbox clock.

A batch moves through the real statuses as simulated time passes. Nothing runs in the background:
each call that reads a batch (retrieve, list, cancel) first brings it up to the clock's time.
The simulated durations are set by :class:`BatchTiming` (change them with :func:`batch_timing`):

- ``validating`` for 60 s. An input file that breaks a rule then makes the batch ``failed``,
  with one entry per problem in ``errors.data`` (code, message, line).
- ``in_progress``: requests run one after another in file order, 2 s each, so 100 requests take
  200 s and the 50,000-request maximum would need about 28 hours.
- ``finalizing`` for 60 s after the last request, then ``completed``.
- ``expired`` when the 24-hour ``completion_window`` ends first. Finished requests are in the
  output file and the rest are in the error file with code ``batch_expired``.
- ``cancelling`` for 60 s after a cancel request, then ``cancelled``. Requests finished before the
  cancel are in the output file. Unstarted ones appear in neither file.

Each request runs through the same code as the live endpoint at its simulated finish time, so
its usage (and prompt caching) is real. A request the endpoint rejects (an unknown model, an
invalid body, a responder that raises) goes to the error file with its HTTP status and error
body. Output and error files list requests in a deterministic order that differs from the input
order, as the real API does: join results on ``custom_id``. Price batch usage with
``costkit.usage.cost_of(usage, batch=True)``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any

import httpx2

from costkit.sandbox.errors import SandboxAPIError, invalid_request, missing_parameter
from costkit.sandbox.openai_chat import create_chat_completion, create_response
from costkit.sandbox.openai_embeddings import create_embeddings

if TYPE_CHECKING:
    from collections.abc import Callable

    from costkit.sandbox.core import Sandbox

logger = logging.getLogger("costkit.sandbox")

#: Endpoints a sandbox batch can target.
BATCH_ENDPOINTS = ("/v1/chat/completions", "/v1/responses", "/v1/embeddings")

#: Maximum number of requests in one batch input file.
MAX_BATCH_REQUESTS = 50_000

#: Largest batch input file: 200 MB.
MAX_BATCH_FILE_BYTES = 200 * 1024 * 1024

#: Largest file the Files API accepts: 512 MB.
MAX_FILE_BYTES = 512 * 1024 * 1024

#: Seconds between a batch's creation and the end of its ``completion_window`` ("24h").
COMPLETION_WINDOW_SECONDS = 24 * 3600.0

#: At most this many problems are listed in a failed batch's ``errors.data``.
MAX_REPORTED_ERRORS = 100

FILE_PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")

_TERMINAL = ("failed", "completed", "expired", "cancelled")


@dataclass
class BatchTiming:
    """Simulated durations of the batch lifecycle, in seconds of sandbox clock time."""

    validation_seconds: float = 60.0
    seconds_per_request: float = 2.0
    finalizing_seconds: float = 60.0
    cancelling_seconds: float = 60.0


def batch_timing(sandbox: Sandbox) -> BatchTiming:
    """Return the sandbox's batch durations; change its fields to speed batches up or slow them down.

    >>> from costkit.sandbox import Sandbox
    >>> timing = batch_timing(Sandbox())
    >>> timing.seconds_per_request = 10.0  # 10,000 requests now outlast the 24-hour window
    """
    return _store(sandbox).timing


# Files --------------------------------------------------------------------------------------


def upload_file(sandbox: Sandbox, request: httpx2.Request) -> dict[str, Any]:
    """Store a multipart upload (``POST /v1/files``) and return its file object."""
    fields, filename, content = _parse_multipart(request)
    purpose = fields.get("purpose")
    if purpose is None:
        raise missing_parameter("purpose")
    if purpose not in FILE_PURPOSES:
        raise invalid_request(
            f"Invalid value for 'purpose': {purpose!r}. Supported values are {', '.join(FILE_PURPOSES)}.",
            param="purpose",
            code="invalid_value",
        )
    if content is None:
        raise missing_parameter("file")
    if len(content) > MAX_FILE_BYTES:
        raise invalid_request(
            f"File is {len(content)} bytes; the maximum is {MAX_FILE_BYTES} bytes (512 MB).", param="file", code="file_too_large"
        )
    if purpose == "batch" and not filename.endswith(".jsonl"):
        raise invalid_request(
            f"Invalid file format for Batch API: {filename!r}. Upload the requests as a .jsonl file.",
            param="file",
            code="invalid_file_format",
        )
    stored = _store_file(sandbox, filename, purpose, content)
    logger.info("stored file %s (%s, %d bytes, purpose %s)", stored.id, filename, len(content), purpose)
    return stored.as_object()


def list_files(sandbox: Sandbox, request: httpx2.Request) -> dict[str, Any]:
    """List stored files (``GET /v1/files``), newest first, filtered by ``purpose``."""
    purpose = request.url.params.get("purpose")
    files = [file.as_object() for file in _store(sandbox).files.values() if purpose in (None, file.purpose)]
    return _page(files[::-1], request, default_limit=10_000)


def retrieve_file(sandbox: Sandbox, request: httpx2.Request, file_id: str) -> dict[str, Any]:
    """Return one file object (``GET /v1/files/{file_id}``)."""
    return _get_file(sandbox, file_id).as_object()


def delete_file(sandbox: Sandbox, request: httpx2.Request, file_id: str) -> dict[str, Any]:
    """Delete a file (``DELETE /v1/files/{file_id}``)."""
    _get_file(sandbox, file_id)
    del _store(sandbox).files[file_id]
    return {"id": file_id, "object": "file", "deleted": True}


def file_content(sandbox: Sandbox, request: httpx2.Request, file_id: str) -> httpx2.Response:
    """Return a file's bytes (``GET /v1/files/{file_id}/content``)."""
    content = _get_file(sandbox, file_id).content
    return httpx2.Response(200, headers={"content-type": "application/octet-stream"}, content=content)


# Batches ------------------------------------------------------------------------------------


def create_batch(sandbox: Sandbox, request: httpx2.Request) -> dict[str, Any]:
    """Create a batch (``POST /v1/batches``); it starts in ``validating``."""
    body = _json_body(request)
    for name in ("input_file_id", "endpoint", "completion_window"):
        if body.get(name) is None:
            raise missing_parameter(name)
    if body["endpoint"] not in BATCH_ENDPOINTS:
        raise invalid_request(
            f"Invalid value for 'endpoint': {body['endpoint']!r}. The sandbox batches {', '.join(BATCH_ENDPOINTS)}.",
            param="endpoint",
            code="invalid_value",
        )
    if body["completion_window"] != "24h":
        raise invalid_request(
            f"Invalid value for 'completion_window': {body['completion_window']!r}. Only '24h' is supported.",
            param="completion_window",
            code="invalid_value",
        )
    input_file = _get_file(sandbox, body["input_file_id"])
    if input_file.purpose != "batch":
        raise invalid_request(
            f"File {input_file.id} was uploaded with purpose {input_file.purpose!r}; upload batch input with purpose 'batch'.",
            param="input_file_id",
            code="invalid_value",
        )

    requests, errors, model = validate_batch_file(input_file.content, body["endpoint"])
    now = sandbox.clock.now()
    job = BatchJob(
        id=sandbox.next_id("batch"),
        endpoint=body["endpoint"],
        input_file_id=input_file.id,
        created_at=now,
        metadata=dict(body.get("metadata") or {}),
        model=model,
        requests=requests,
        validation_errors=errors,
    )
    _store(sandbox).batches[job.id] = job
    logger.info("created batch %s: %d requests to %s", job.id, len(requests), job.endpoint)
    return job.as_object()


def retrieve_batch(sandbox: Sandbox, request: httpx2.Request, batch_id: str) -> dict[str, Any]:
    """Return a batch (``GET /v1/batches/{batch_id}``), advanced to the clock's time."""
    job = _get_batch(sandbox, batch_id)
    _advance(sandbox, job)
    return job.as_object()


def list_batches(sandbox: Sandbox, request: httpx2.Request) -> dict[str, Any]:
    """List batches (``GET /v1/batches``), newest first."""
    jobs = list(_store(sandbox).batches.values())
    for job in jobs:
        _advance(sandbox, job)
    return _page([job.as_object() for job in reversed(jobs)], request, default_limit=20)


def cancel_batch(sandbox: Sandbox, request: httpx2.Request, batch_id: str) -> dict[str, Any]:
    """Start cancelling a batch (``POST /v1/batches/{batch_id}/cancel``)."""
    job = _get_batch(sandbox, batch_id)
    _advance(sandbox, job)
    if job.status in _TERMINAL or job.status == "cancelling":
        raise invalid_request(
            f"Cannot cancel batch {job.id} with status {job.status!r}; only validating, in_progress "
            "or finalizing batches can be cancelled.",
            code="invalid_batch_status",
        )
    job.status = "cancelling"
    job.times["cancelling_at"] = sandbox.clock.now()
    logger.info("cancelling batch %s", job.id)
    return job.as_object()


def validate_batch_file(content: bytes, endpoint: str) -> tuple[list[BatchLine], list[dict[str, Any]], str | None]:
    """Check a batch input file; return its requests, the problems found and its model.

    The file may have at most 200 MB and 50,000 requests, in UTF-8 without a byte order mark.
    Every line is a JSON object with a ``custom_id`` string that is unique in the file, ``method``
    "POST", ``url`` equal to the batch's endpoint and a ``body`` object naming a ``model``. All
    lines use the same model.
    """
    if len(content) > MAX_BATCH_FILE_BYTES:
        return [], [_problem("file_too_large", f"The input file is {len(content)} bytes; the maximum is 200 MB. Split it.")], None
    if content.startswith(b"\xef\xbb\xbf"):
        message = "The file starts with a UTF-8 byte order mark. Save it as UTF-8 without BOM."
        return [], [_problem("invalid_json_line", message, line=1)], None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        return [], [_problem("invalid_file_encoding", f"The input file is not valid UTF-8 ({error}). Save it as UTF-8.")], None

    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()  # the newline that ends the last line
    if not raw_lines:
        return [], [_problem("empty_file", "The input file has no requests.")], None
    if len(raw_lines) > MAX_BATCH_REQUESTS:
        message = f"The input file has {len(raw_lines)} requests; the maximum is {MAX_BATCH_REQUESTS}. Split it into several batches."
        return [], [_problem("too_many_requests", message)], None

    requests: list[BatchLine] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    models: dict[str, int] = {}
    for number, raw in enumerate(raw_lines, start=1):
        problem = _check_line(raw.rstrip("\r"), number, endpoint, seen, models, requests)
        if problem is not None:
            errors.append(problem)

    if len(models) > 1:
        first = next(iter(models))
        for model, line in list(models.items())[1:]:
            message = f"Line {line} uses model {model!r} but the file started with {first!r}. A batch takes one model."
            errors.append(_problem("mismatched_model", message, line=line, param="body.model"))
    model = next(iter(models), None)
    return requests, errors[:MAX_REPORTED_ERRORS], model


# Batch state --------------------------------------------------------------------------------


@dataclass
class BatchLine:
    """One request of a batch input file."""

    line: int
    custom_id: str
    body: dict[str, Any]


@dataclass
class StoredFile:
    """A file in the sandbox's file store."""

    id: str
    filename: str
    purpose: str
    content: bytes
    created_at: float

    def as_object(self) -> dict[str, Any]:
        """Return the Files API ``file`` object."""
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.content),
            "created_at": int(self.created_at),
            "expires_at": None,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
            "status_details": None,
        }


@dataclass
class BatchJob:
    """A batch and everything it has produced so far."""

    id: str
    endpoint: str
    input_file_id: str
    created_at: float
    metadata: dict[str, Any]
    model: str | None
    requests: list[BatchLine]
    validation_errors: list[dict[str, Any]]
    status: str = "validating"
    times: dict[str, float] = field(default_factory=dict)
    processed: int = 0
    output_lines: list[dict[str, Any]] = field(default_factory=list)
    error_lines: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_USAGE_FIELDS, 0))
    output_file_id: str | None = None
    error_file_id: str | None = None

    @property
    def expires_at(self) -> float:
        """When the 24-hour completion window ends."""
        return self.created_at + COMPLETION_WINDOW_SECONDS

    def as_object(self) -> dict[str, Any]:
        """Return the Batch API ``batch`` object."""
        times = {name: int(self.times[name]) if name in self.times else None for name in _TIMESTAMPS}
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": self.endpoint,
            "model": self.model,
            "errors": {"object": "list", "data": self.validation_errors} if self.status == "failed" else None,
            "input_file_id": self.input_file_id,
            "completion_window": "24h",
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": int(self.created_at),
            "expires_at": int(self.expires_at),
            **times,
            "request_counts": {
                "total": len(self.requests),
                "completed": len(self.output_lines),
                "failed": sum(1 for line in self.error_lines if line["response"] is not None),
            },
            "usage": {
                "input_tokens": self.usage["input_tokens"],
                "input_tokens_details": {"cached_tokens": self.usage["cached_tokens"]},
                "output_tokens": self.usage["output_tokens"],
                "output_tokens_details": {"reasoning_tokens": self.usage["reasoning_tokens"]},
                "total_tokens": self.usage["input_tokens"] + self.usage["output_tokens"],
            },
            "metadata": self.metadata,
        }


_TIMESTAMPS = ("in_progress_at", "finalizing_at", "completed_at", "failed_at", "expired_at", "cancelling_at", "cancelled_at")
_USAGE_FIELDS = ("input_tokens", "cached_tokens", "output_tokens", "reasoning_tokens")


@dataclass
class _BatchStore:
    timing: BatchTiming = field(default_factory=BatchTiming)
    files: dict[str, StoredFile] = field(default_factory=dict)
    batches: dict[str, BatchJob] = field(default_factory=dict)


def _store(sandbox: Sandbox) -> _BatchStore:
    return sandbox.provider_state("openai.batches", _BatchStore)


def _advance(sandbox: Sandbox, job: BatchJob) -> None:
    """Bring ``job`` up to the sandbox clock: change status, run due requests and write result files."""
    if job.status in _TERMINAL:
        return
    now = sandbox.clock.now()
    timing = _store(sandbox).timing

    if job.status == "validating" or "in_progress_at" not in job.times:
        validated_at = job.created_at + timing.validation_seconds
        if now < validated_at:
            if job.status == "cancelling":
                _finish_cancel(sandbox, job, now, timing)
            return
        if job.validation_errors:
            job.status = "failed"
            job.times["failed_at"] = validated_at
            logger.info("batch %s failed validation with %d problems", job.id, len(job.validation_errors))
            return
        job.times["in_progress_at"] = validated_at
        if job.status == "validating":
            job.status = "in_progress"

    _run_due_requests(sandbox, job, now, timing)

    if job.status == "cancelling":
        _finish_cancel(sandbox, job, now, timing)
        return

    if job.processed == len(job.requests):
        finalizing_at = _due_time(job, len(job.requests) - 1, timing)
        if now >= finalizing_at:
            job.status = "finalizing"
            job.times["finalizing_at"] = finalizing_at
        if now >= finalizing_at + timing.finalizing_seconds:
            _write_result_files(sandbox, job, finalizing_at + timing.finalizing_seconds)
            job.status = "completed"
            job.times["completed_at"] = finalizing_at + timing.finalizing_seconds
            logger.info("batch %s completed", job.id)
    elif now >= job.expires_at:
        for pending in job.requests[job.processed :]:
            message = "This request could not be executed before the completion window expired."
            job.error_lines.append(_result_line(sandbox, pending, None, {"code": "batch_expired", "message": message}))
        _write_result_files(sandbox, job, job.expires_at)
        job.status = "expired"
        job.times["expired_at"] = job.expires_at
        logger.info("batch %s expired with %d of %d requests done", job.id, job.processed, len(job.requests))


def _run_due_requests(sandbox: Sandbox, job: BatchJob, now: float, timing: BatchTiming) -> None:
    stop = min(now, job.expires_at, job.times.get("cancelling_at", now))
    while job.processed < len(job.requests) and _due_time(job, job.processed, timing) <= stop:
        request = job.requests[job.processed]
        _run_request(sandbox, job, request, _due_time(job, job.processed, timing))
        job.processed += 1


def _run_request(sandbox: Sandbox, job: BatchJob, request: BatchLine, at: float) -> None:
    run: Callable[..., dict[str, Any]] = _ENDPOINT_RUNNERS[job.endpoint]
    try:
        if job.endpoint == "/v1/embeddings":
            body = run(sandbox, request.body)
        else:
            body = run(sandbox, request.body, now=at)
    except SandboxAPIError as error:
        response = {"status_code": error.status_code, "request_id": sandbox.next_id("req"), "body": error.openai_body()}
        job.error_lines.append(_result_line(sandbox, request, response, None))
        return

    response = {"status_code": 200, "request_id": sandbox.next_id("req"), "body": body}
    job.output_lines.append(_result_line(sandbox, request, response, None))
    _add_usage(job.usage, body.get("usage") or {})


def _finish_cancel(sandbox: Sandbox, job: BatchJob, now: float, timing: BatchTiming) -> None:
    cancelled_at = job.times["cancelling_at"] + timing.cancelling_seconds
    if now >= cancelled_at:
        _write_result_files(sandbox, job, cancelled_at)
        job.status = "cancelled"
        job.times["cancelled_at"] = cancelled_at
        logger.info("batch %s cancelled with %d of %d requests done", job.id, job.processed, len(job.requests))


def _due_time(job: BatchJob, index: int, timing: BatchTiming) -> float:
    return job.times["in_progress_at"] + timing.seconds_per_request * (index + 1)


def _write_result_files(sandbox: Sandbox, job: BatchJob, at: float) -> None:
    """Store the output and error files, each in a deterministic order unrelated to the input order."""
    for kind, lines in (("output", job.output_lines), ("error", job.error_lines)):
        if not lines:
            continue
        ordered = sorted(lines, key=lambda line: hashlib.sha256(f"{job.id}\x00{line['custom_id']}".encode()).digest())
        content = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in ordered).encode()
        stored = _store_file(sandbox, f"{job.id}_{kind}.jsonl", "batch_output", content, created_at=at)
        if kind == "output":
            job.output_file_id = stored.id
        else:
            job.error_file_id = stored.id


def _result_line(
    sandbox: Sandbox, request: BatchLine, response: dict[str, Any] | None, error: dict[str, Any] | None
) -> dict[str, Any]:
    return {"id": sandbox.next_id("batch_req"), "custom_id": request.custom_id, "response": response, "error": error}


def _add_usage(total: dict[str, int], usage: dict[str, Any]) -> None:
    """Add a chat, responses or embeddings ``usage`` to the batch's totals."""
    prompt_details = usage.get("prompt_tokens_details") or usage.get("input_tokens_details") or {}
    output_details = usage.get("completion_tokens_details") or usage.get("output_tokens_details") or {}
    total["input_tokens"] += usage.get("prompt_tokens", usage.get("input_tokens", 0))
    total["cached_tokens"] += prompt_details.get("cached_tokens", 0)
    total["output_tokens"] += usage.get("completion_tokens", usage.get("output_tokens", 0))
    total["reasoning_tokens"] += output_details.get("reasoning_tokens", 0)


_ENDPOINT_RUNNERS: dict[str, Callable[..., dict[str, Any]]] = {
    "/v1/chat/completions": create_chat_completion,
    "/v1/responses": create_response,
    "/v1/embeddings": create_embeddings,
}


# Helpers ------------------------------------------------------------------------------------


def _check_line(
    raw: str, number: int, endpoint: str, seen: set[str], models: dict[str, int], requests: list[BatchLine]
) -> dict[str, Any] | None:
    """Check one input line; append it to ``requests`` when valid, else return the problem."""
    if not raw.strip():
        return _problem("invalid_json_line", f"Line {number} is blank. Remove blank lines from the file.", line=number)
    try:
        item = json.loads(raw)
    except ValueError as error:
        return _problem("invalid_json_line", f"Line {number} is not valid JSON ({error}).", line=number)
    if not isinstance(item, dict):
        return _problem("invalid_json_line", f"Line {number} must be a JSON object, got {type(item).__name__}.", line=number)

    custom_id = item.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        return _problem("missing_required_parameter", f"Line {number} has no string 'custom_id'.", line=number, param="custom_id")
    if custom_id in seen:
        message = f"Line {number} repeats custom_id {custom_id!r}. Each request needs a unique custom_id."
        return _problem("duplicate_custom_id", message, line=number, param="custom_id")
    seen.add(custom_id)

    if item.get("method") != "POST":
        message = f"Line {number} has method {item.get('method')!r}; batch requests must use 'POST'."
        return _problem("invalid_method", message, line=number, param="method")
    if item.get("url") != endpoint:
        message = f"Line {number} has url {item.get('url')!r} but the batch endpoint is {endpoint!r}. Use the same URL on every line."
        return _problem("mismatched_endpoint", message, line=number, param="url")
    body = item.get("body")
    if not isinstance(body, dict):
        return _problem("missing_required_parameter", f"Line {number} has no 'body' object.", line=number, param="body")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return _problem("missing_required_parameter", f"Line {number} has no 'body.model'.", line=number, param="body.model")

    models.setdefault(model, number)
    requests.append(BatchLine(number, custom_id, body))
    return None


def _problem(code: str, message: str, *, line: int | None = None, param: str | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "param": param, "line": line}


def _store_file(sandbox: Sandbox, filename: str, purpose: str, content: bytes, *, created_at: float | None = None) -> StoredFile:
    stored = StoredFile(
        id=sandbox.next_id("file"),
        filename=filename,
        purpose=purpose,
        content=content,
        created_at=sandbox.clock.now() if created_at is None else created_at,
    )
    _store(sandbox).files[stored.id] = stored
    return stored


def _get_file(sandbox: Sandbox, file_id: str) -> StoredFile:
    stored = _store(sandbox).files.get(file_id)
    if stored is None:
        raise SandboxAPIError(404, f"No such File object: {file_id}. Upload it with files.create first.", param="id")
    return stored


def _get_batch(sandbox: Sandbox, batch_id: str) -> BatchJob:
    job = _store(sandbox).batches.get(batch_id)
    if job is None:
        raise SandboxAPIError(404, f"No batch found with id '{batch_id}'.", param="batch_id")
    return job


def _json_body(request: httpx2.Request) -> dict[str, Any]:
    try:
        body = json.loads(request.read() or b"null")
    except ValueError as error:
        raise invalid_request(f"We could not parse the JSON body of your request ({error}).", code="invalid_json") from error
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    return body


def _parse_multipart(request: httpx2.Request) -> tuple[dict[str, str], str, bytes | None]:
    """Return the form fields, the file's name and the file's bytes of a multipart upload."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise invalid_request(f"Upload files as multipart/form-data, not {content_type or 'an empty body'}.", param="file")
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.read())

    fields: dict[str, str] = {}
    filename, content = "", None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if name == "file":
            filename, content = part.get_filename() or "upload", payload
        elif isinstance(name, str):
            fields[name] = payload.decode("utf-8")
    return fields, filename, content


def _page(items: list[dict[str, Any]], request: httpx2.Request, *, default_limit: int) -> dict[str, Any]:
    """Return one cursor page of ``items`` for the ``after`` and ``limit`` query parameters."""
    after = request.url.params.get("after")
    limit = int(request.url.params.get("limit", default_limit))
    if after is not None:
        ids = [item["id"] for item in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    page = items[:limit]
    return {
        "object": "list",
        "data": page,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
        "has_more": len(items) > limit,
    }
