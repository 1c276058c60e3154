"""Tests of the sandbox's Files and Batch API through the official openai SDK, on the simulated clock."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import openai
import pytest

from costkit.sandbox import ResponderRequest, Sandbox
from costkit.sandbox import openai_batches
from costkit.sandbox.openai_batches import batch_timing
from costkit.tokens import count_message_tokens
from costkit.usage import cost_of

CHAT_URL = "/v1/chat/completions"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox()


@pytest.fixture
def client(sandbox: Sandbox) -> openai.OpenAI:
    return sandbox.openai_client(max_retries=0)


def chat_line(custom_id: str, question: str, *, model: str = "gpt-4o-mini", url: str = CHAT_URL, **extra: Any) -> dict[str, Any]:
    body = {"model": model, "messages": [{"role": "user", "content": question}], **extra}
    return {"custom_id": custom_id, "method": "POST", "url": url, "body": body}


def jsonl(lines: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def submit(client: openai.OpenAI, content: bytes, endpoint: str = CHAT_URL) -> Any:
    uploaded = client.files.create(file=("requests.jsonl", content), purpose="batch")
    return client.batches.create(input_file_id=uploaded.id, endpoint=endpoint, completion_window="24h")  # type: ignore[arg-type]


def read_lines(client: openai.OpenAI, file_id: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in client.files.content(file_id).text.splitlines()]


# Files ----------------------------------------------------------------------------------------


def test_file_upload_retrieve_content_delete(client: openai.OpenAI) -> None:
    content = jsonl([chat_line("a", "Hi")])
    uploaded = client.files.create(file=("requests.jsonl", content), purpose="batch")
    assert uploaded.bytes == len(content)
    assert uploaded.filename == "requests.jsonl"
    assert uploaded.purpose == "batch"
    assert client.files.retrieve(uploaded.id).id == uploaded.id
    assert client.files.content(uploaded.id).content == content
    assert [item.id for item in client.files.list(purpose="batch")] == [uploaded.id]

    deleted = client.files.delete(uploaded.id)
    assert deleted.deleted is True
    with pytest.raises(openai.NotFoundError, match="No such File"):
        client.files.retrieve(uploaded.id)


def test_batch_file_must_be_jsonl(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match=r"\.jsonl"):
        client.files.create(file=("requests.csv", b"a,b\n"), purpose="batch")


def test_batch_needs_batch_purpose(client: openai.OpenAI) -> None:
    uploaded = client.files.create(file=("notes.jsonl", jsonl([chat_line("a", "Hi")])), purpose="user_data")
    with pytest.raises(openai.BadRequestError, match="purpose 'batch'"):
        client.batches.create(input_file_id=uploaded.id, endpoint=CHAT_URL, completion_window="24h")


def test_batch_unknown_file_is_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.batches.create(input_file_id="file-missing", endpoint=CHAT_URL, completion_window="24h")


def test_batch_rejects_unserved_endpoint(client: openai.OpenAI) -> None:
    uploaded = client.files.create(file=("requests.jsonl", jsonl([chat_line("a", "Hi")])), purpose="batch")
    with pytest.raises(openai.BadRequestError, match="endpoint"):
        client.batches.create(input_file_id=uploaded.id, endpoint="/v1/moderations", completion_window="24h")


# Lifecycle ------------------------------------------------------------------------------------


def test_batch_round_trip(sandbox: Sandbox, client: openai.OpenAI) -> None:
    questions = {f"q{index}": f"Question number {index}?" for index in range(8)}
    batch = submit(client, jsonl([chat_line(custom_id, text) for custom_id, text in questions.items()]))
    assert batch.status == "validating"
    assert batch.request_counts.total == 8

    sandbox.clock.advance(seconds=60)
    assert client.batches.retrieve(batch.id).status == "in_progress"

    sandbox.clock.advance(seconds=2 * 3)
    running = client.batches.retrieve(batch.id)
    assert running.request_counts.completed == 3
    assert running.output_file_id is None

    sandbox.clock.advance(seconds=2 * 5)
    finalizing = client.batches.retrieve(batch.id)
    assert finalizing.status == "finalizing"
    assert finalizing.request_counts.completed == 8

    sandbox.clock.advance(seconds=60)
    done = client.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert done.completed_at - done.created_at == 60 + 2 * 8 + 60
    assert done.error_file_id is None

    lines = read_lines(client, done.output_file_id)
    order = [line["custom_id"] for line in lines]
    assert sorted(order) == sorted(questions)
    assert order != list(questions)
    for line in lines:
        assert line["error"] is None
        assert line["response"]["status_code"] == 200
        body = line["response"]["body"]
        expected_prompt = count_message_tokens([{"role": "user", "content": questions[line["custom_id"]]}], "gpt-4o-mini")
        assert body["usage"]["prompt_tokens"] == expected_prompt

    total_input = sum(line["response"]["body"]["usage"]["prompt_tokens"] for line in lines)
    total_output = sum(line["response"]["body"]["usage"]["completion_tokens"] for line in lines)
    assert done.usage.input_tokens == total_input
    assert done.usage.output_tokens == total_output


def test_batch_usage_billed_at_half_price(sandbox: Sandbox, client: openai.OpenAI) -> None:
    batch = submit(client, jsonl([chat_line("only", "Summarise the plan.")]))
    sandbox.clock.advance(hours=1)
    done = client.batches.retrieve(batch.id)
    usage = read_lines(client, done.output_file_id)[0]["response"]["body"]["usage"]

    batch_cost = cost_of(usage, model="gpt-4o-mini", batch=True).total
    real_time_cost = cost_of(usage, model="gpt-4o-mini").total
    expected = (Decimal(usage["prompt_tokens"]) * Decimal("0.075") + Decimal(usage["completion_tokens"]) * Decimal("0.30")) / 1_000_000
    assert batch_cost == expected
    assert batch_cost * 2 == real_time_cost


def test_retrieve_advances_lazily(sandbox: Sandbox, client: openai.OpenAI) -> None:
    batch = submit(client, jsonl([chat_line(f"r{index}", "Hi") for index in range(3)]))
    sandbox.clock.advance(days=2)
    done = client.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert done.in_progress_at == done.created_at + 60
    assert done.finalizing_at == done.in_progress_at + 6


def test_batch_list_newest_first(sandbox: Sandbox, client: openai.OpenAI) -> None:
    first = submit(client, jsonl([chat_line("a", "Hi")]))
    second = submit(client, jsonl([chat_line("a", "Hi")]))
    assert [batch.id for batch in client.batches.list()] == [second.id, first.id]


def test_failed_requests_go_to_error_file(sandbox: Sandbox, client: openai.OpenAI) -> None:
    def responder(request: ResponderRequest) -> str:
        if "explode" in request.last_user_text:
            raise ValueError("cannot answer")
        return "fine"

    sandbox.add_responder("gpt-4o-mini", responder)
    lines = [
        chat_line("good", "Hello"),
        chat_line("too-long", "Hello", max_tokens=10**6),
        {"custom_id": "no-messages", "method": "POST", "url": CHAT_URL, "body": {"model": "gpt-4o-mini"}},
        chat_line("raises", "please explode"),
    ]
    batch = submit(client, jsonl(lines))
    sandbox.clock.advance(hours=1)
    done = client.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert done.request_counts.completed == 1
    assert done.request_counts.failed == 3

    assert [line["custom_id"] for line in read_lines(client, done.output_file_id)] == ["good"]
    errors = {line["custom_id"]: line for line in read_lines(client, done.error_file_id)}
    assert errors["too-long"]["response"]["status_code"] == 400
    assert errors["too-long"]["response"]["body"]["error"]["param"] == "max_tokens"
    assert errors["no-messages"]["response"]["body"]["error"]["code"] == "missing_required_parameter"
    assert errors["raises"]["response"]["status_code"] == 500
    assert all(line["error"] is None for line in errors.values())


def test_batch_expires_with_partial_results(sandbox: Sandbox, client: openai.OpenAI) -> None:
    timing = batch_timing(sandbox)
    timing.seconds_per_request = 3 * 3600
    batch = submit(client, jsonl([chat_line(f"r{index}", f"Question {index}") for index in range(10)]))

    sandbox.clock.advance(hours=23)
    assert client.batches.retrieve(batch.id).status == "in_progress"

    sandbox.clock.advance(hours=2)
    expired = client.batches.retrieve(batch.id)
    done_in_window = int((24 * 3600 - timing.validation_seconds) // timing.seconds_per_request)
    assert expired.status == "expired"
    assert expired.expired_at == expired.created_at + 24 * 3600
    assert expired.request_counts.completed == done_in_window

    finished = read_lines(client, expired.output_file_id)
    unfinished = read_lines(client, expired.error_file_id)
    assert len(finished) == done_in_window
    assert len(unfinished) == 10 - done_in_window
    assert {line["custom_id"] for line in finished} | {line["custom_id"] for line in unfinished} == {f"r{i}" for i in range(10)}
    for line in unfinished:
        assert line["response"] is None
        assert line["error"]["code"] == "batch_expired"


def test_batch_cancellation(sandbox: Sandbox, client: openai.OpenAI) -> None:
    batch = submit(client, jsonl([chat_line(f"r{index}", "Hi") for index in range(10)]))
    sandbox.clock.advance(seconds=60 + 2 * 3)
    cancelling = client.batches.cancel(batch.id)
    assert cancelling.status == "cancelling"
    assert cancelling.request_counts.completed == 3

    sandbox.clock.advance(seconds=30)
    assert client.batches.retrieve(batch.id).status == "cancelling"

    sandbox.clock.advance(seconds=30)
    cancelled = client.batches.retrieve(batch.id)
    assert cancelled.status == "cancelled"
    assert cancelled.cancelled_at == cancelled.cancelling_at + 60
    assert len(read_lines(client, cancelled.output_file_id)) == 3


def test_cancel_finished_batch_is_400(sandbox: Sandbox, client: openai.OpenAI) -> None:
    batch = submit(client, jsonl([chat_line("a", "Hi")]))
    sandbox.clock.advance(hours=1)
    with pytest.raises(openai.BadRequestError, match="completed"):
        client.batches.cancel(batch.id)


def test_embeddings_batch(sandbox: Sandbox, client: openai.OpenAI) -> None:
    line = {"custom_id": "e1", "method": "POST", "url": "/v1/embeddings", "body": {"model": "text-embedding-3-small", "input": "hello world"}}
    batch = submit(client, jsonl([line]), endpoint="/v1/embeddings")
    sandbox.clock.advance(hours=1)
    done = client.batches.retrieve(batch.id)
    body = read_lines(client, done.output_file_id)[0]["response"]["body"]
    assert len(body["data"][0]["embedding"]) == 1536
    assert body["usage"]["prompt_tokens"] == 2


def test_prompt_caching_inside_batch(sandbox: Sandbox, client: openai.OpenAI) -> None:
    shared = "token " * 1990
    batch = submit(client, jsonl([chat_line(f"r{index}", shared + f" question {index}") for index in range(3)]))
    sandbox.clock.advance(hours=1)
    lines = read_lines(client, client.batches.retrieve(batch.id).output_file_id)
    cached = sorted(line["response"]["body"]["usage"]["prompt_tokens_details"]["cached_tokens"] for line in lines)
    assert cached == [0, 1920, 1920]


# Validation -----------------------------------------------------------------------------------


def failed_batch(sandbox: Sandbox, client: openai.OpenAI, content: bytes) -> Any:
    batch = submit(client, content)
    sandbox.clock.advance(seconds=60)
    result = client.batches.retrieve(batch.id)
    assert result.status == "failed"
    assert result.failed_at == result.created_at + 60
    assert result.output_file_id is None
    return result


def test_duplicate_custom_id_fails(sandbox: Sandbox, client: openai.OpenAI) -> None:
    result = failed_batch(sandbox, client, jsonl([chat_line("same", "a"), chat_line("same", "b")]))
    [error] = result.errors.data
    assert error.code == "duplicate_custom_id"
    assert error.line == 2


def test_mixed_models_fail(sandbox: Sandbox, client: openai.OpenAI) -> None:
    content = jsonl([chat_line("a", "x"), chat_line("b", "y", model="gpt-4o"), chat_line("c", "z")])
    [error] = failed_batch(sandbox, client, content).errors.data
    assert error.code == "mismatched_model"
    assert error.line == 2
    assert "gpt-4o" in error.message


def test_wrong_url_fails(sandbox: Sandbox, client: openai.OpenAI) -> None:
    content = jsonl([chat_line("a", "x"), chat_line("b", "y", url="/v1/embeddings")])
    [error] = failed_batch(sandbox, client, content).errors.data
    assert error.code == "mismatched_endpoint"
    assert error.line == 2


def test_wrong_method_fails(sandbox: Sandbox, client: openai.OpenAI) -> None:
    line = {**chat_line("a", "x"), "method": "GET"}
    [error] = failed_batch(sandbox, client, jsonl([line])).errors.data
    assert error.code == "invalid_method"


def test_bad_json_line_fails(sandbox: Sandbox, client: openai.OpenAI) -> None:
    content = jsonl([chat_line("a", "x")]) + b'{"custom_id": "b", \n' + jsonl([chat_line("c", "z")])
    [error] = failed_batch(sandbox, client, content).errors.data
    assert error.code == "invalid_json_line"
    assert error.line == 2


def test_blank_line_fails(sandbox: Sandbox, client: openai.OpenAI) -> None:
    content = jsonl([chat_line("a", "x")]) + b"\n" + jsonl([chat_line("b", "y")])
    [error] = failed_batch(sandbox, client, content).errors.data
    assert error.line == 2
    assert "blank" in error.message


def test_byte_order_mark_fails(sandbox: Sandbox, client: openai.OpenAI) -> None:
    [error] = failed_batch(sandbox, client, b"\xef\xbb\xbf" + jsonl([chat_line("a", "x")])).errors.data
    assert "byte order mark" in error.message


def test_too_many_requests_fails(sandbox: Sandbox, client: openai.OpenAI) -> None:
    line = json.dumps(chat_line("x", "y"))
    content = "".join(line.replace('"x"', f'"r{index}"', 1) + "\n" for index in range(50_001)).encode()
    [error] = failed_batch(sandbox, client, content).errors.data
    assert error.code == "too_many_requests"
    assert "50001" in error.message


def test_oversized_file_fails(sandbox: Sandbox, client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    # Shrink the 200 MB limit so the test need not build a 200 MB file.
    monkeypatch.setattr(openai_batches, "MAX_BATCH_FILE_BYTES", 100)
    [error] = failed_batch(sandbox, client, jsonl([chat_line("a", "x" * 200)])).errors.data
    assert error.code == "file_too_large"


def test_missing_custom_id_fails(sandbox: Sandbox, client: openai.OpenAI) -> None:
    line = chat_line("a", "x")
    del line["custom_id"]
    [error] = failed_batch(sandbox, client, jsonl([line])).errors.data
    assert error.param == "custom_id"
