"""Tests of the sandbox's OpenAI endpoints through the official openai SDK."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import openai
import pytest

from costkit.encodings import encoding_for_model
from costkit.sandbox import Sandbox
from costkit.sandbox.prompt_cache import cacheable_length
from costkit.tokens import count_message_tokens, count_tokens
from costkit.usage import cost_of

HELLO = [{"role": "user", "content": "Hello"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1},
                "note": {"type": "string"},
            },
            "required": ["city", "unit", "days"],
        },
    },
}


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox()


@pytest.fixture
def client(sandbox: Sandbox) -> openai.OpenAI:
    return sandbox.openai_client(max_retries=0)


def long_messages(words: int, question: str = "What is in the text?") -> list[dict[str, str]]:
    """Return a system prompt of about ``words`` tokens followed by a short user question."""
    return [{"role": "system", "content": "token " * words}, {"role": "user", "content": question}]


# Chat Completions -----------------------------------------------------------------------------


def test_chat_usage_counts_real_tokens(client: openai.OpenAI) -> None:
    messages = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Name three colours."}]
    reply = client.chat.completions.create(model="gpt-4o", messages=messages)
    answer = reply.choices[0].message.content
    assert reply.object == "chat.completion"
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage.prompt_tokens == count_message_tokens(messages, "gpt-4o")
    assert reply.usage.completion_tokens == count_tokens(answer, "gpt-4o")
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    assert reply.usage.prompt_tokens_details.cached_tokens == 0


def test_chat_cost_matches_hand_computation(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    usage = reply.usage
    expected = (Decimal(usage.prompt_tokens) * Decimal("0.15") + Decimal(usage.completion_tokens) * Decimal("0.60")) / 1_000_000
    assert cost_of(reply).total == expected


def test_max_tokens_truncates_with_length(client: openai.OpenAI) -> None:
    full = client.chat.completions.create(model="gpt-4o", messages=HELLO)
    cut = client.chat.completions.create(model="gpt-4o", messages=HELLO, max_tokens=10)
    encoding = encoding_for_model("gpt-4o")
    assert full.usage.completion_tokens > 10
    assert cut.choices[0].finish_reason == "length"
    assert cut.usage.completion_tokens == 10
    assert cut.choices[0].message.content == encoding.decode(encoding.encode(full.choices[0].message.content)[:10])


def test_max_completion_tokens_truncates(client: openai.OpenAI) -> None:
    cut = client.chat.completions.create(model="gpt-4o-mini", messages=HELLO, max_completion_tokens=5)
    assert cut.choices[0].finish_reason == "length"
    assert cut.usage.completion_tokens == 5


def test_reasoning_tokens_are_part_of_output(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model="gpt-5-mini", messages=HELLO)
    reasoning = reply.usage.completion_tokens_details.reasoning_tokens
    visible = count_tokens(reply.choices[0].message.content, "gpt-5-mini")
    assert 192 <= reasoning <= 640
    assert reply.usage.completion_tokens == visible + reasoning

    expected = (Decimal(reply.usage.prompt_tokens) * Decimal("0.25") + Decimal(reply.usage.completion_tokens) * 2) / 1_000_000
    assert cost_of(reply).total == expected


def test_reasoning_can_use_whole_limit(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model="o4-mini", messages=HELLO, max_completion_tokens=50)
    assert reply.choices[0].finish_reason == "length"
    assert reply.choices[0].message.content == ""
    assert reply.usage.completion_tokens == 50
    assert reply.usage.completion_tokens_details.reasoning_tokens == 50


def test_reasoning_effort_scales_reasoning(client: openai.OpenAI) -> None:
    low = client.chat.completions.create(model="gpt-5", messages=HELLO, reasoning_effort="low")
    high = client.chat.completions.create(model="gpt-5", messages=HELLO, reasoning_effort="high")
    minimal = client.chat.completions.create(model="gpt-5", messages=HELLO, reasoning_effort="minimal")
    assert high.usage.completion_tokens_details.reasoning_tokens == 5 * low.usage.completion_tokens_details.reasoning_tokens
    assert minimal.usage.completion_tokens_details.reasoning_tokens == 0


def test_reasoning_model_rejects_max_tokens(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="o4-mini", messages=HELLO, max_tokens=100)
    assert caught.value.code == "unsupported_parameter"
    assert caught.value.param == "max_tokens"


def test_json_object_mode_returns_json(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "List two fruits as JSON."}],
        response_format={"type": "json_object"},
    )
    answer = json.loads(reply.choices[0].message.content)
    assert isinstance(answer, dict)
    assert "[costkit sandbox]" in answer["answer"]


def test_json_schema_mode_fills_schema(client: openai.OpenAI) -> None:
    schema = {
        "type": "object",
        "properties": {
            "label": {"type": "string", "enum": ["simple", "complex"]},
            "reason": {"type": "string"},
            "score": {"type": "number"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["label", "reason", "score", "tags"],
        "additionalProperties": False,
    }
    reply = client.chat.completions.create(
        model="gpt-4o",
        messages=HELLO,
        response_format={"type": "json_schema", "json_schema": {"name": "route", "schema": schema, "strict": True}},
    )
    answer = json.loads(reply.choices[0].message.content)
    assert set(answer) == {"label", "reason", "score", "tags"}
    assert answer["label"] == "simple"
    assert answer["reason"].startswith("[costkit sandbox]")
    assert answer["tags"] == ["sandbox"]


def test_json_mode_wraps_non_json_responder(sandbox: Sandbox, client: openai.OpenAI) -> None:
    sandbox.add_responder("gpt-4o-mini", lambda request: "not json")
    wrapped = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "json please"}], response_format={"type": "json_object"}
    )
    assert json.loads(wrapped.choices[0].message.content) == {"answer": "not json"}

    sandbox.add_responder("gpt-4o-mini", lambda request: '{"label": "simple"}')
    kept = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "json please"}], response_format={"type": "json_object"}
    )
    assert kept.choices[0].message.content == '{"label": "simple"}'


def test_tool_call_from_schema(client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "What's the weather in Paris?"}]
    reply = client.chat.completions.create(model="gpt-4o", messages=messages, tools=[WEATHER_TOOL])
    choice = reply.choices[0]
    call = choice.message.tool_calls[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "sandbox", "unit": "celsius", "days": 1}
    assert reply.usage.prompt_tokens == count_message_tokens(messages, "gpt-4o", tools=[WEATHER_TOOL])


def test_tool_choice_forces_named_function(client: openai.OpenAI) -> None:
    other = {"type": "function", "function": {"name": "lookup_order", "parameters": {"type": "object", "properties": {}}}}
    reply = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "weather today?"}],
        tools=[WEATHER_TOOL, other],
        tool_choice={"type": "function", "function": {"name": "lookup_order"}},
    )
    assert reply.choices[0].message.tool_calls[0].function.name == "lookup_order"
    assert reply.choices[0].message.tool_calls[0].function.arguments == "{}"


def test_tool_result_gets_text_answer(client: openai.OpenAI) -> None:
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "18 C, sunny"},
    ]
    reply = client.chat.completions.create(model="gpt-4o", messages=messages, tools=[WEATHER_TOOL])
    assert reply.choices[0].finish_reason == "stop"
    assert reply.choices[0].message.tool_calls is None


def test_tool_choice_none_gets_text(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Weather?"}], tools=[WEATHER_TOOL], tool_choice="none"
    )
    assert reply.choices[0].finish_reason == "stop"


def test_streaming_with_usage(client: openai.OpenAI) -> None:
    plain = client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    stream = client.chat.completions.create(
        model="gpt-4o-mini", messages=HELLO, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    finish = [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices and chunk.choices[0].finish_reason]
    assert len(chunks) > 3
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert text == plain.choices[0].message.content
    assert finish == ["stop"]
    assert chunks[-1].choices == []
    assert chunks[-1].usage.completion_tokens == plain.usage.completion_tokens
    assert all(chunk.usage is None for chunk in chunks[:-1])


def test_streaming_without_usage(client: openai.OpenAI) -> None:
    chunks = list(client.chat.completions.create(model="gpt-4o-mini", messages=HELLO, stream=True))
    assert all(chunk.choices for chunk in chunks)
    assert all(chunk.usage is None for chunk in chunks)


def test_streaming_tool_call(client: openai.OpenAI) -> None:
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "Weather?"}], tools=[WEATHER_TOOL], stream=True
        )
    )
    arguments = "".join(
        call.function.arguments or ""
        for chunk in chunks
        for call in chunk.choices[0].delta.tool_calls or []
        if call.function is not None
    )
    assert json.loads(arguments)["unit"] == "celsius"
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_n_choices_differ(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=HELLO, n=3, seed=7, temperature=0.2)
    texts = [choice.message.content for choice in reply.choices]
    assert [choice.index for choice in reply.choices] == [0, 1, 2]
    assert len(set(texts)) == 3
    assert reply.usage.completion_tokens == sum(count_tokens(text, "gpt-4o-mini") for text in texts)


def test_stop_sequence_cuts_answer(sandbox: Sandbox, client: openai.OpenAI) -> None:
    sandbox.add_responder("gpt-4o-mini", lambda request: "one. two. END three.")
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=HELLO, stop=["END"])
    assert reply.choices[0].message.content == "one. two. "
    assert reply.choices[0].finish_reason == "stop"


# Prompt caching -------------------------------------------------------------------------------


def test_cache_write_then_read(sandbox: Sandbox, client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "token " * 1990}]
    first = client.chat.completions.create(model="gpt-4o", messages=messages)
    sandbox.clock.advance(minutes=1)
    second = client.chat.completions.create(model="gpt-4o", messages=messages)
    assert first.usage.prompt_tokens == second.usage.prompt_tokens
    assert 1920 <= second.usage.prompt_tokens < 2048
    assert first.usage.prompt_tokens_details.cached_tokens == 0
    assert second.usage.prompt_tokens_details.cached_tokens == 1920


def test_cached_tokens_priced_at_cached_rate(sandbox: Sandbox, client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "token " * 1990}]
    client.chat.completions.create(model="gpt-4o", messages=messages)
    reply = client.chat.completions.create(model="gpt-4o", messages=messages)
    usage = reply.usage
    cached = usage.prompt_tokens_details.cached_tokens
    expected = (
        Decimal(usage.prompt_tokens - cached) * Decimal("2.50")
        + Decimal(cached) * Decimal("1.25")
        + Decimal(usage.completion_tokens) * Decimal("10.00")
    ) / 1_000_000
    assert cached == 1920
    assert cost_of(reply).total == expected


def test_cache_hits_in_128_token_steps(sandbox: Sandbox, client: openai.OpenAI) -> None:
    client.chat.completions.create(model="gpt-4o", messages=long_messages(1300, "First question?"))
    reply = client.chat.completions.create(model="gpt-4o", messages=long_messages(1300, "A different question?"))
    cached = reply.usage.prompt_tokens_details.cached_tokens
    assert cached == 1280
    assert (cached - 1024) % 128 == 0
    assert cached < reply.usage.prompt_tokens


def test_cacheable_length_rounds_down() -> None:
    assert cacheable_length(1023) == 0
    assert cacheable_length(1024) == 1024
    assert cacheable_length(1151) == 1024
    assert cacheable_length(1152) == 1152
    assert cacheable_length(2000) == 1920


def test_short_prompt_is_not_cached(client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "token " * 900}]
    client.chat.completions.create(model="gpt-4o", messages=messages)
    reply = client.chat.completions.create(model="gpt-4o", messages=messages)
    assert reply.usage.prompt_tokens < 1024
    assert reply.usage.prompt_tokens_details.cached_tokens == 0


def test_cache_expires_after_ttl(sandbox: Sandbox, client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "token " * 1990}]
    client.chat.completions.create(model="gpt-4o", messages=messages)
    sandbox.clock.advance(minutes=10, seconds=1)
    reply = client.chat.completions.create(model="gpt-4o", messages=messages)
    assert reply.usage.prompt_tokens_details.cached_tokens == 0


def test_cache_hit_refreshes_ttl(sandbox: Sandbox, client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "token " * 1990}]
    client.chat.completions.create(model="gpt-4o", messages=messages)
    sandbox.clock.advance(minutes=8)
    hit = client.chat.completions.create(model="gpt-4o", messages=messages)
    sandbox.clock.advance(minutes=8)
    refreshed = client.chat.completions.create(model="gpt-4o", messages=messages)
    assert hit.usage.prompt_tokens_details.cached_tokens == 1920
    assert refreshed.usage.prompt_tokens_details.cached_tokens == 1920


def test_cache_is_per_model(client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "token " * 1990}]
    client.chat.completions.create(model="gpt-4o", messages=messages)
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    assert reply.usage.prompt_tokens_details.cached_tokens == 0


def test_cache_key_separates_prefixes(client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "token " * 1990}]
    client.chat.completions.create(model="gpt-4o", messages=messages, prompt_cache_key="tenant-a")
    other = client.chat.completions.create(model="gpt-4o", messages=messages, prompt_cache_key="tenant-b")
    same = client.chat.completions.create(model="gpt-4o", messages=messages, prompt_cache_key="tenant-a")
    assert other.usage.prompt_tokens_details.cached_tokens == 0
    assert same.usage.prompt_tokens_details.cached_tokens == 1920


# Responses ------------------------------------------------------------------------------------


def test_responses_output_text_and_usage(client: openai.OpenAI) -> None:
    response = client.responses.create(model="gpt-4o-mini", input="Hello", instructions="Be brief.")
    expected_input = count_message_tokens(
        [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "Hello"}], "gpt-4o-mini"
    )
    assert response.object == "response"
    assert response.status == "completed"
    assert response.output_text.startswith("[costkit sandbox]")
    assert response.usage.input_tokens == expected_input
    assert response.usage.output_tokens == count_tokens(response.output_text, "gpt-4o-mini")
    assert response.usage.input_tokens_details.cached_tokens == 0


def test_responses_reasoning_and_limit(client: openai.OpenAI) -> None:
    response = client.responses.create(
        model="gpt-5-nano", input=[{"role": "user", "content": "Hello"}], max_output_tokens=700
    )
    reasoning = response.usage.output_tokens_details.reasoning_tokens
    assert response.output[0].type == "reasoning"
    assert reasoning > 0
    assert response.usage.output_tokens == reasoning + count_tokens(response.output_text, "gpt-5-nano")

    cut = client.responses.create(model="gpt-4o", input="Hello", max_output_tokens=16)
    assert cut.status == "incomplete"
    assert cut.incomplete_details.reason == "max_output_tokens"
    assert cut.usage.output_tokens == 16


def test_responses_cached_tokens(sandbox: Sandbox, client: openai.OpenAI) -> None:
    text = "token " * 1990
    client.responses.create(model="gpt-4.1", input=text)
    response = client.responses.create(model="gpt-4.1", input=text)
    assert response.usage.input_tokens_details.cached_tokens == 1920


def test_responses_rejects_small_limit(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="max_output_tokens"):
        client.responses.create(model="gpt-4o", input="Hello", max_output_tokens=5)


def test_responses_function_call(client: openai.OpenAI) -> None:
    tool = {"type": "function", "name": "get_weather", "parameters": WEATHER_TOOL["function"]["parameters"], "strict": False}
    response = client.responses.create(model="gpt-4o", input="Weather in Oslo?", tools=[tool])
    call = response.output[0]
    assert call.type == "function_call"
    assert json.loads(call.arguments)["days"] == 1


# Embeddings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "size"), [("text-embedding-3-small", 1536), ("text-embedding-3-large", 3072), ("text-embedding-ada-002", 1536)]
)
def test_embedding_sizes_and_norm(client: openai.OpenAI, model: str, size: int) -> None:
    result = client.embeddings.create(model=model, input="The quick brown fox")
    vector = result.data[0].embedding
    assert len(vector) == size
    assert math.isclose(math.fsum(value * value for value in vector), 1.0, rel_tol=1e-5)


def test_embedding_base64_matches_float(client: openai.OpenAI) -> None:
    decoded = client.embeddings.create(model="text-embedding-3-small", input="same text")
    floats = client.embeddings.create(model="text-embedding-3-small", input="same text", encoding_format="float")
    assert decoded.data[0].embedding == pytest.approx(floats.data[0].embedding, abs=1e-7)


def test_embedding_is_deterministic(client: openai.OpenAI) -> None:
    first = client.embeddings.create(model="text-embedding-3-small", input=["alpha", "beta"])
    second = Sandbox().openai_client().embeddings.create(model="text-embedding-3-small", input=["alpha", "beta"])
    assert first.data[0].embedding == second.data[0].embedding
    assert first.data[0].embedding != first.data[1].embedding
    assert [item.index for item in first.data] == [0, 1]


def test_embedding_usage_counts_inputs(client: openai.OpenAI) -> None:
    texts = ["How do I reset my password?", "Pricing for the team plan"]
    result = client.embeddings.create(model="text-embedding-3-small", input=texts)
    expected = sum(count_tokens(text, "text-embedding-3-small") for text in texts)
    assert result.usage.prompt_tokens == expected
    assert result.usage.total_tokens == expected


def test_embedding_cost_priced_from_usage(client: openai.OpenAI) -> None:
    texts = ["How do I reset my password?", "Where is my order?"]

    response = client.embeddings.create(model="text-embedding-3-small", input=texts)

    breakdown = cost_of(response.usage, "text-embedding-3-small")
    expected_tokens = sum(count_tokens(text, "text-embedding-3-small") for text in texts)
    assert breakdown.usage.uncached_input == expected_tokens
    assert breakdown.total == Decimal("0.02") * expected_tokens / 1_000_000


def test_embedding_dimensions_shorten(client: openai.OpenAI) -> None:
    full = client.embeddings.create(model="text-embedding-3-large", input="x", encoding_format="float")
    short = client.embeddings.create(model="text-embedding-3-large", input="x", dimensions=256, encoding_format="float")
    vector = short.data[0].embedding
    scale = math.sqrt(math.fsum(value * value for value in full.data[0].embedding[:256]))
    assert len(vector) == 256
    assert vector[0] == pytest.approx(full.data[0].embedding[0] / scale)


def test_embedding_token_input(client: openai.OpenAI) -> None:
    result = client.embeddings.create(model="text-embedding-3-small", input=[[1, 2, 3], [4, 5]])
    assert result.usage.prompt_tokens == 5


def test_ada_rejects_dimensions(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="dimensions"):
        client.embeddings.create(model="text-embedding-ada-002", input="x", dimensions=256)


def test_embedding_rejects_empty_string(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="non-empty"):
        client.embeddings.create(model="text-embedding-3-small", input="")


# Errors ---------------------------------------------------------------------------------------


def test_unknown_model_is_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-9-imaginary", messages=HELLO)
    assert caught.value.code == "model_not_found"
    assert caught.value.type == "invalid_request_error"
    assert "gpt-9-imaginary" in caught.value.message


def test_other_provider_model_is_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="claude-sonnet-4-5", messages=HELLO)


def test_embedding_model_in_chat_is_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError, match="embedding model"):
        client.chat.completions.create(model="text-embedding-3-small", messages=HELLO)


def test_missing_messages_is_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.post("/chat/completions", body={"model": "gpt-4o"}, cast_to=object)
    assert caught.value.status_code == 400
    assert caught.value.type == "invalid_request_error"
    assert caught.value.param == "messages"
    assert caught.value.code == "missing_required_parameter"


def test_empty_messages_is_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="empty array"):
        client.chat.completions.create(model="gpt-4o", messages=[])


def test_invalid_role_is_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "robot", "content": "hi"}])  # type: ignore[list-item]
    assert caught.value.param == "messages[0].role"


def test_context_length_exceeded(client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "token " * 127_000}]
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=messages, max_tokens=4000)
    assert caught.value.code == "context_length_exceeded"
    assert "128000" in caught.value.message


def test_max_tokens_above_model_limit(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="16384"):
        client.chat.completions.create(model="gpt-4o", messages=HELLO, max_tokens=20_000)


def test_stream_options_need_stream(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="stream_options"):
        client.chat.completions.create(model="gpt-4o", messages=HELLO, stream_options={"include_usage": True})


def test_bad_json_body_is_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="JSON body"):
        client.post("/chat/completions", body=None, cast_to=object, options={"headers": {"content-type": "application/json"}},
                    content=b"{not json")


def test_forced_unknown_tool_is_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="not in 'tools'"):
        client.chat.completions.create(
            model="gpt-4o", messages=HELLO, tools=[WEATHER_TOOL], tool_choice={"type": "function", "function": {"name": "nope"}}
        )
