"""Tests of the sandbox core through the official openai SDK: clock, faults, responders and routing."""

from __future__ import annotations

import httpx2
import openai
import pytest

from costkit.errors import UnknownModelError
from costkit.sandbox import SANDBOX_MARKER, ResponderRequest, Sandbox, SandboxClock

HELLO = [{"role": "user", "content": "Hello"}]


def test_clock_advances_only_forward() -> None:
    clock = SandboxClock()
    start = clock.now()
    clock.advance(90, minutes=1, hours=1, days=1)
    assert clock.now() - start == 90 + 60 + 3600 + 86400
    with pytest.raises(ValueError, match="cannot move the clock back"):
        clock.advance(-1)


def test_placeholder_answer_is_marked_and_repeatable() -> None:
    first = Sandbox().openai_client().chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    second = Sandbox().openai_client().chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    assert first.choices[0].message.content.startswith(SANDBOX_MARKER)
    assert first.choices[0].message.content == second.choices[0].message.content
    assert first.id == second.id
    assert first.system_fingerprint == "fp_costkit_sandbox"


def test_responder_writes_the_answer() -> None:
    sandbox = Sandbox()
    seen: list[ResponderRequest] = []

    def classify(request: ResponderRequest) -> str:
        seen.append(request)
        return "complex" if "explain" in request.last_user_text else "simple"

    sandbox.add_responder("gpt-4o-mini", classify)
    client = sandbox.openai_client()
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "Label the query."}, {"role": "user", "content": "explain TLS"}],
    )
    assert reply.choices[0].message.content == "complex"
    assert reply.usage.completion_tokens == 1
    assert seen[0].system == "Label the query."
    assert seen[0].messages == ({"role": "user", "content": "explain TLS"},)


def test_responder_error_is_500_without_retries() -> None:
    sandbox = Sandbox()

    def broken(request: ResponderRequest) -> str:
        raise RuntimeError("classifier not loaded")

    sandbox.add_responder("gpt-4o-mini", broken)
    client = sandbox.openai_client(max_retries=2)
    with pytest.raises(openai.InternalServerError, match="classifier not loaded"):
        client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    assert sandbox.request_counts["openai /v1/chat/completions"] == 1


def test_rate_limit_fault_retried_by_sdk() -> None:
    sandbox = Sandbox()
    sandbox.inject_fault("rate_limit", provider="openai", path="/chat/completions", retry_after=0.01)
    reply = sandbox.openai_client(max_retries=2).chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    assert reply.choices[0].message.content
    assert sandbox.request_counts["openai /v1/chat/completions"] == 2


def test_rate_limit_fault_without_retries() -> None:
    sandbox = Sandbox()
    sandbox.inject_fault("rate_limit", retry_after=7)
    with pytest.raises(openai.RateLimitError) as caught:
        sandbox.openai_client(max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    assert caught.value.status_code == 429
    assert caught.value.response.headers["retry-after"] == "7"
    assert caught.value.code == "rate_limit_exceeded"


def test_server_error_fault_retried_by_sdk() -> None:
    sandbox = Sandbox()
    sandbox.inject_fault("server_error", provider="openai", retry_after=0.01)
    client = sandbox.openai_client(max_retries=2)
    client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    assert sandbox.request_counts["openai /v1/chat/completions"] == 2


def test_faults_beyond_retries_raise() -> None:
    sandbox = Sandbox()
    sandbox.inject_fault("server_error", count=3)
    # The SDK sleeps about 0.5 s and 1 s between these retries because a 500 carries no retry-after.
    with pytest.raises(openai.InternalServerError):
        sandbox.openai_client(max_retries=1).chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    assert sandbox.request_counts["openai /v1/chat/completions"] == 2


def test_overloaded_fault_is_503() -> None:
    sandbox = Sandbox()
    sandbox.inject_fault("overloaded", provider="openai")
    with pytest.raises(openai.InternalServerError) as caught:
        sandbox.openai_client(max_retries=0).embeddings.create(model="text-embedding-3-small", input="x")
    assert caught.value.status_code == 503


def test_timeout_fault_raises_api_timeout() -> None:
    sandbox = Sandbox()
    sandbox.inject_fault("timeout", path="/chat/completions")
    with pytest.raises(openai.APITimeoutError):
        sandbox.openai_client(max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    reply = sandbox.openai_client(max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    assert reply.usage.prompt_tokens > 0


def test_fault_for_other_path_is_kept() -> None:
    sandbox = Sandbox()
    sandbox.inject_fault("server_error", path="/embeddings")
    sandbox.openai_client(max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    with pytest.raises(openai.InternalServerError):
        sandbox.openai_client(max_retries=0).embeddings.create(model="text-embedding-3-small", input="x")


def test_unknown_path_is_404() -> None:
    client = Sandbox().openai_client(max_retries=0)
    with pytest.raises(openai.NotFoundError, match="Invalid URL"):
        client.get("/models/gpt-4o/nothing", cast_to=httpx2.Response)


def test_other_hosts_are_rejected() -> None:
    sandbox = Sandbox()
    with pytest.raises(ValueError, match="serves only"):
        sandbox.handle(httpx2.Request("GET", "https://api.openai.com/v1/models"))


def test_fault_unknown_provider_rejected() -> None:
    sandbox = Sandbox()

    with pytest.raises(ValueError, match="unknown provider 'google'"):
        sandbox.inject_fault("rate_limit", provider="google")  # type: ignore[arg-type]


def test_responder_unknown_model_rejected() -> None:
    sandbox = Sandbox()

    with pytest.raises(UnknownModelError, match="Did you mean 'gpt-4o'"):
        sandbox.add_responder("gpt-4oo", lambda request: "hi")


def test_responder_wildcard_accepted() -> None:
    sandbox = Sandbox()

    sandbox.add_responder("*", lambda request: "hi")

    assert sandbox.responder_for("gpt-4o-mini") is not None
