"""The sandbox's Anthropic Messages API, exercised only through the official ``anthropic`` SDK."""

from __future__ import annotations

import base64
import random
import struct
from decimal import Decimal
from typing import Any

import anthropic
import pytest

from costkit import cost_of
from costkit.pricing import PriceTable
from costkit.sandbox import SANDBOX_MARKER, ResponderRequest, Sandbox
from costkit.sandbox.anthropic_api import prompt_cache
from costkit.sandbox.anthropic_cache import image_tokens
from costkit.tokens import count_tokens

SONNET = "claude-sonnet-4-6"
HAIKU = "claude-haiku-4-5"

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Return the current weather for a city.",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["city"],
    },
}

_WORDS = (
    "invoice refund shipping account password order delivery warranty return policy customer "
    "support ticket billing address payment card subscription plan upgrade discount coupon"
).split()


def document(target_tokens: int, *, seed: int = 7, model: str = SONNET) -> str:
    """Build deterministic prose of about ``target_tokens`` tokens."""
    rng = random.Random(seed)
    words: list[str] = []
    text = ""
    while count_tokens(text, model) < target_tokens:
        words.extend(rng.choice(_WORDS) for _ in range(200))
        text = " ".join(words) + "."
    while count_tokens(text, model) > target_tokens * 1.02:
        words = words[:-20]
        text = " ".join(words) + "."
    return text


def cached_system(text: str, ttl: str | None = None) -> list[dict[str, Any]]:
    control: dict[str, Any] = {"type": "ephemeral"}
    if ttl is not None:
        control["ttl"] = ttl
    return [{"type": "text", "text": text, "cache_control": control}]


def png_header(width: int, height: int) -> str:
    """Return base64 of the first bytes of a PNG: enough for the sandbox to read its size."""
    ihdr = struct.pack(">II", width, height) + bytes([8, 2, 0, 0, 0])
    data = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + b"\x00\x00\x00\x00"
    return base64.b64encode(data).decode()


def prompt_size(usage: Any) -> int:
    return usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens


@pytest.fixture(scope="module")
def long_document() -> str:
    return document(5_000)


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox()


@pytest.fixture
def client(sandbox: Sandbox) -> anthropic.Anthropic:
    return sandbox.anthropic_client()


def ask(client: anthropic.Anthropic, system: Any = None, *, model: str = SONNET, question: str = "What is the refund policy?", **kwargs: Any) -> Any:
    params: dict[str, Any] = {"model": model, "max_tokens": 64, "messages": [{"role": "user", "content": question}], **kwargs}
    if system is not None:
        params["system"] = system
    return client.messages.create(**params)


# Messages ------------------------------------------------------------------------------------


def test_text_message_wire_format(client: anthropic.Anthropic) -> None:
    raw = client.messages.with_raw_response.create(
        model=SONNET, max_tokens=2_000, messages=[{"role": "user", "content": "Hello"}]
    )
    message = raw.parse()

    assert raw.headers["request-id"]
    assert message.type == "message"
    assert message.role == "assistant"
    assert message.model == SONNET
    assert message.content[0].type == "text"
    assert message.content[0].text.startswith(SANDBOX_MARKER)
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens > count_tokens("Hello", SONNET)
    assert message.usage.cache_read_input_tokens == 0
    assert message.usage.cache_creation_input_tokens == 0
    assert message.usage.output_tokens == count_tokens(message.content[0].text, SONNET)


def test_same_request_same_answer(client: anthropic.Anthropic) -> None:
    first = ask(client)
    second = ask(client)

    assert first.id != second.id
    assert first.content[0].text == second.content[0].text
    assert first.usage == second.usage


def test_system_string_equals_text_block(client: anthropic.Anthropic) -> None:
    as_string = ask(client, "You are a support agent for a shoe shop.")
    as_blocks = ask(client, [{"type": "text", "text": "You are a support agent for a shoe shop."}])
    without = ask(client)

    assert as_string.usage.input_tokens == as_blocks.usage.input_tokens
    assert as_string.usage.input_tokens > without.usage.input_tokens


def test_image_block_billed_by_size(client: anthropic.Anthropic) -> None:
    def with_image(width: int, height: int) -> int:
        image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png_header(width, height)}}
        content = [image, {"type": "text", "text": "Describe this image."}]
        return client.messages.create(model=SONNET, max_tokens=16, messages=[{"role": "user", "content": content}]).usage.input_tokens

    text_only = client.messages.create(
        model=SONNET, max_tokens=16, messages=[{"role": "user", "content": [{"type": "text", "text": "Describe this image."}]}]
    ).usage.input_tokens

    assert with_image(300, 150) - text_only == 60  # 300 × 150 / 750
    assert with_image(3000, 2000) - text_only == 1600  # scaled down, then capped near 1,600 tokens
    assert image_tokens(300, 150) == 60


def test_tool_use_and_result_blocks_accepted(client: anthropic.Anthropic) -> None:
    messages: list[Any] = [
        {"role": "user", "content": "What is the weather in Paris?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "18 degrees and sunny"}]},
    ]
    reply = client.messages.create(model=SONNET, max_tokens=32, tools=[WEATHER_TOOL], messages=messages)
    first_turn = client.messages.create(model=SONNET, max_tokens=32, tools=[WEATHER_TOOL], messages=messages[:1])

    assert reply.content[0].type == "text"
    assert reply.usage.input_tokens > first_turn.usage.input_tokens


def test_tools_add_their_tokens(client: anthropic.Anthropic) -> None:
    plain = ask(client)
    with_tools = ask(client, tools=[WEATHER_TOOL])

    assert with_tools.usage.input_tokens > plain.usage.input_tokens + count_tokens(WEATHER_TOOL["description"], SONNET)


def test_forced_tool_returns_tool_use(client: anthropic.Anthropic) -> None:
    reply = ask(client, tools=[WEATHER_TOOL], tool_choice={"type": "tool", "name": "get_weather"})
    block = reply.content[0]

    assert reply.stop_reason == "tool_use"
    assert block.type == "tool_use"
    assert block.name == "get_weather"
    assert isinstance(block.input["city"], str)
    assert block.id


def test_tool_choice_any_uses_a_tool(client: anthropic.Anthropic) -> None:
    reply = ask(client, tools=[WEATHER_TOOL], tool_choice={"type": "any"})

    assert reply.stop_reason == "tool_use"
    assert reply.content[0].type == "tool_use"


def test_max_tokens_truncates_answer(client: anthropic.Anthropic) -> None:
    full = ask(client, max_tokens=2_000)
    short = ask(client, max_tokens=5)

    assert full.stop_reason == "end_turn"
    assert short.stop_reason == "max_tokens"
    assert short.usage.output_tokens == 5
    assert full.content[0].text.startswith(short.content[0].text)


def test_stop_sequence_cuts_answer(sandbox: Sandbox, client: anthropic.Anthropic) -> None:
    sandbox.add_responder(SONNET, lambda request: "alpha beta STOP gamma delta")
    reply = ask(client, stop_sequences=["STOP"], max_tokens=100)

    assert reply.content[0].text == "alpha beta "
    assert reply.stop_reason == "stop_sequence"
    assert reply.stop_sequence == "STOP"


def test_responder_sees_request(sandbox: Sandbox, client: anthropic.Anthropic) -> None:
    seen: list[ResponderRequest] = []

    def classify(request: ResponderRequest) -> str:
        seen.append(request)
        return "complex" if "architecture" in request.last_user_text else "simple"

    sandbox.add_responder(HAIKU, classify)
    reply = ask(client, "Label the query.", model=HAIKU, question="Review our architecture")

    assert reply.content[0].text == "complex"
    assert reply.usage.output_tokens == count_tokens("complex", HAIKU)
    assert seen[0].provider == "anthropic"
    assert seen[0].system == "Label the query."
    assert seen[0].last_user_text == "Review our architecture"


def test_failing_responder_is_api_error(sandbox: Sandbox) -> None:
    def broken(request: ResponderRequest) -> str:
        raise RuntimeError("classifier offline")

    sandbox.add_responder(SONNET, broken)
    client = sandbox.anthropic_client(max_retries=2)
    with pytest.raises(anthropic.InternalServerError, match="classifier offline"):
        ask(client)

    assert sandbox.request_counts["anthropic /v1/messages"] == 1  # x-should-retry: false stops retries
    assert prompt_cache(sandbox).entries == {}


def test_stream_matches_create(long_document: str) -> None:
    expected = ask(Sandbox().anthropic_client(), cached_system(long_document))

    client = Sandbox().anthropic_client()
    with client.messages.stream(
        model=SONNET, max_tokens=64, system=cached_system(long_document), messages=[{"role": "user", "content": "What is the refund policy?"}]
    ) as stream:
        streamed_text = "".join(stream.text_stream)
        final = stream.get_final_message()

    assert streamed_text == expected.content[0].text
    assert final.content[0].text == expected.content[0].text
    assert final.stop_reason == expected.stop_reason
    assert final.usage.output_tokens == expected.usage.output_tokens
    assert final.usage.cache_creation_input_tokens == expected.usage.cache_creation_input_tokens
    assert final.usage.input_tokens == expected.usage.input_tokens


def test_stream_forced_tool_use(client: anthropic.Anthropic) -> None:
    with client.messages.stream(
        model=SONNET,
        max_tokens=64,
        tools=[WEATHER_TOOL],
        tool_choice={"type": "tool", "name": "get_weather"},
        messages=[{"role": "user", "content": "Weather in Oslo?"}],
    ) as stream:
        final = stream.get_final_message()

    assert final.stop_reason == "tool_use"
    assert final.content[0].type == "tool_use"
    assert isinstance(final.content[0].input["city"], str)


# Prompt caching ------------------------------------------------------------------------------


def test_cache_write_then_read_same_size(client: anthropic.Anthropic, long_document: str) -> None:
    first = ask(client, cached_system(long_document))
    second = ask(client, cached_system(long_document))

    assert 4_900 <= first.usage.cache_creation_input_tokens <= 5_200
    assert first.usage.cache_creation.ephemeral_5m_input_tokens == first.usage.cache_creation_input_tokens
    assert first.usage.cache_creation.ephemeral_1h_input_tokens == 0
    assert first.usage.cache_read_input_tokens == 0
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert second.usage.cache_creation_input_tokens == 0
    assert second.usage.input_tokens == first.usage.input_tokens
    assert prompt_size(second.usage) == prompt_size(first.usage)


def test_cache_costs_use_multipliers(client: anthropic.Anthropic, long_document: str) -> None:
    input_price = PriceTable.default().get(SONNET).input
    first = ask(client, cached_system(long_document))
    second = ask(client, cached_system(long_document))

    write_tokens = first.usage.cache_creation_input_tokens
    read_tokens = second.usage.cache_read_input_tokens
    assert cost_of(first).cache_write_5m == write_tokens * input_price * Decimal("1.25") / 1_000_000
    assert cost_of(second).cache_read == read_tokens * input_price * Decimal("0.1") / 1_000_000
    assert cost_of(second).total < cost_of(first).total


def test_cache_expires_after_five_minutes(sandbox: Sandbox, client: anthropic.Anthropic, long_document: str) -> None:
    first = ask(client, cached_system(long_document))
    sandbox.clock.advance(minutes=6)
    later = ask(client, cached_system(long_document))

    assert later.usage.cache_read_input_tokens == 0
    assert later.usage.cache_creation_input_tokens == first.usage.cache_creation_input_tokens


def test_cache_alive_just_before_ttl(sandbox: Sandbox, client: anthropic.Anthropic, long_document: str) -> None:
    first = ask(client, cached_system(long_document))
    sandbox.clock.advance(minutes=4, seconds=59)
    later = ask(client, cached_system(long_document))

    assert later.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens


def test_cache_hit_refreshes_ttl(sandbox: Sandbox, client: anthropic.Anthropic, long_document: str) -> None:
    first = ask(client, cached_system(long_document))
    sandbox.clock.advance(minutes=4)
    at_four = ask(client, cached_system(long_document))
    sandbox.clock.advance(minutes=4)
    at_eight = ask(client, cached_system(long_document))

    assert at_four.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert at_eight.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert at_eight.usage.cache_creation_input_tokens == 0


def test_one_hour_ttl_billed_double(sandbox: Sandbox, client: anthropic.Anthropic, long_document: str) -> None:
    input_price = PriceTable.default().get(SONNET).input
    first = ask(client, cached_system(long_document, ttl="1h"))
    sandbox.clock.advance(minutes=50)
    at_fifty = ask(client, cached_system(long_document, ttl="1h"))
    sandbox.clock.advance(minutes=61)
    expired = ask(client, cached_system(long_document, ttl="1h"))

    written = first.usage.cache_creation.ephemeral_1h_input_tokens
    assert written == first.usage.cache_creation_input_tokens
    assert first.usage.cache_creation.ephemeral_5m_input_tokens == 0
    assert cost_of(first).cache_write_1h == written * input_price * 2 / 1_000_000
    assert cost_of(first).cache_write_5m == 0
    assert at_fifty.usage.cache_read_input_tokens == written
    assert expired.usage.cache_creation.ephemeral_1h_input_tokens == written


def test_prefix_below_minimum_not_cached(client: anthropic.Anthropic) -> None:
    minimum = PriceTable.default().get(HAIKU).min_cacheable_tokens
    assert minimum is not None
    short = document(minimum // 2, model=HAIKU)

    first = ask(client, cached_system(short), model=HAIKU)
    second = ask(client, cached_system(short), model=HAIKU)

    assert first.usage.cache_creation_input_tokens == 0
    assert second.usage.cache_read_input_tokens == 0
    assert second.usage.input_tokens == first.usage.input_tokens
    assert first.usage.input_tokens > minimum // 2


def test_minimum_is_per_model(client: anthropic.Anthropic) -> None:
    table = PriceTable.default()
    small_minimum = table.get("claude-sonnet-4-5").min_cacheable_tokens
    large_minimum = table.get(HAIKU).min_cacheable_tokens
    assert small_minimum is not None
    assert large_minimum is not None
    assert small_minimum < large_minimum
    between = document((small_minimum + large_minimum) // 2)

    sonnet = ask(client, cached_system(between), model="claude-sonnet-4-5")
    haiku = ask(client, cached_system(between), model=HAIKU)

    assert sonnet.usage.cache_creation_input_tokens > 0
    assert haiku.usage.cache_creation_input_tokens == 0


def test_five_breakpoints_rejected(client: anthropic.Anthropic) -> None:
    system = [{"type": "text", "text": f"Rule {index}.", "cache_control": {"type": "ephemeral"}} for index in range(5)]

    with pytest.raises(anthropic.BadRequestError) as raised:
        ask(client, system)

    assert raised.value.status_code == 400
    assert raised.value.body["error"]["type"] == "invalid_request_error"
    assert "maximum of 4" in raised.value.body["error"]["message"]


def test_four_breakpoints_accepted(client: anthropic.Anthropic) -> None:
    system = [{"type": "text", "text": f"Rule {index}.", "cache_control": {"type": "ephemeral"}} for index in range(4)]

    assert ask(client, system).stop_reason in ("end_turn", "max_tokens")


def test_second_breakpoint_reads_first(client: anthropic.Anthropic, long_document: str) -> None:
    extra = document(2_000, seed=11)
    system_only = ask(client, cached_system(long_document))

    two_breakpoints = cached_system(long_document) + cached_system(extra)
    both = ask(client, two_breakpoints)
    total = client.messages.count_tokens(
        model=SONNET, system=two_breakpoints, messages=[{"role": "user", "content": "What is the refund policy?"}]
    ).input_tokens

    assert both.usage.cache_read_input_tokens == system_only.usage.cache_creation_input_tokens
    assert both.usage.cache_creation_input_tokens == total - both.usage.cache_read_input_tokens - both.usage.input_tokens
    assert 1_900 <= both.usage.cache_creation_input_tokens <= 2_100


def test_changed_prefix_misses_cache(client: anthropic.Anthropic, long_document: str) -> None:
    ask(client, cached_system(long_document))
    changed = ask(client, cached_system(long_document + " Updated."))

    assert changed.usage.cache_read_input_tokens == 0
    assert changed.usage.cache_creation_input_tokens > 0


def test_cache_is_per_model(client: anthropic.Anthropic, long_document: str) -> None:
    ask(client, cached_system(long_document), model=SONNET)
    other = ask(client, cached_system(long_document), model="claude-opus-4-6")

    assert other.usage.cache_read_input_tokens == 0


def test_alias_shares_cache(client: anthropic.Anthropic, long_document: str) -> None:
    first = ask(client, cached_system(long_document), model="claude-sonnet-4-5")
    dated = ask(client, cached_system(long_document), model="claude-sonnet-4-5-20250929")

    assert dated.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens


def test_conversation_reads_previous_turn(client: anthropic.Anthropic, long_document: str) -> None:
    def turn(messages: list[dict[str, Any]]) -> Any:
        marked = [dict(message) for message in messages]
        last = marked[-1]
        last["content"] = [{"type": "text", "text": last["content"], "cache_control": {"type": "ephemeral"}}]
        return client.messages.create(model=SONNET, max_tokens=64, system=long_document, messages=marked)

    history: list[dict[str, Any]] = [{"role": "user", "content": "How do refunds work?"}]
    first = turn(history)
    history += [{"role": "assistant", "content": first.content[0].text}, {"role": "user", "content": "And exchanges?"}]
    second = turn(history)

    assert first.usage.cache_creation_input_tokens == prompt_size(first.usage) - first.usage.input_tokens
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert second.usage.cache_creation_input_tokens > 0


def test_tool_breakpoint_caches_tools(client: anthropic.Anthropic) -> None:
    tools = [{**WEATHER_TOOL, "name": f"tool_{index}", "description": document(300, seed=index)} for index in range(5)]
    tools[-1] = {**tools[-1], "cache_control": {"type": "ephemeral"}}

    first = ask(client, tools=tools)
    second = ask(client, "A new system prompt does not touch the cached tools.", tools=tools)

    assert first.usage.cache_creation_input_tokens > 1_500
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens


def test_top_level_cache_control(client: anthropic.Anthropic, long_document: str) -> None:
    first = ask(client, long_document, cache_control={"type": "ephemeral"})
    second = ask(client, long_document, cache_control={"type": "ephemeral"})

    assert first.usage.cache_creation_input_tokens > 4_900
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens


def test_one_hour_after_five_minutes_rejected(client: anthropic.Anthropic, long_document: str) -> None:
    system = cached_system(long_document) + cached_system("More rules.", ttl="1h")

    with pytest.raises(anthropic.BadRequestError, match="1h"):
        ask(client, system)


def test_invalid_ttl_rejected(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError, match="ttl"):
        ask(client, [{"type": "text", "text": "Rules.", "cache_control": {"type": "ephemeral", "ttl": "10m"}}])


# Token counting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"system": "You are terse."},
        {"tools": [WEATHER_TOOL]},
        {"tools": [WEATHER_TOOL], "tool_choice": {"type": "any"}},
    ],
    ids=["plain", "system", "tools", "forced-tool"],
)
def test_count_tokens_equals_billed_input(client: anthropic.Anthropic, extra: dict[str, Any]) -> None:
    messages = [{"role": "user", "content": "Summarise our warranty terms."}]
    counted = client.messages.count_tokens(model=SONNET, messages=messages, **extra)
    billed = client.messages.create(model=SONNET, max_tokens=32, messages=messages, **extra)

    assert counted.input_tokens == prompt_size(billed.usage)


def test_count_tokens_equals_cached_prompt(client: anthropic.Anthropic, long_document: str) -> None:
    messages = [{"role": "user", "content": "What is the refund policy?"}]
    counted = client.messages.count_tokens(model=SONNET, system=cached_system(long_document), messages=messages)
    write = client.messages.create(model=SONNET, max_tokens=32, system=cached_system(long_document), messages=messages)
    read = client.messages.create(model=SONNET, max_tokens=32, system=cached_system(long_document), messages=messages)

    assert counted.input_tokens == prompt_size(write.usage)
    assert counted.input_tokens == prompt_size(read.usage)
    assert read.usage.cache_read_input_tokens > 0


def test_count_tokens_leaves_cache_alone(sandbox: Sandbox, client: anthropic.Anthropic, long_document: str) -> None:
    client.messages.count_tokens(model=SONNET, system=cached_system(long_document), messages=[{"role": "user", "content": "Hi"}])

    assert prompt_cache(sandbox).entries == {}


# Errors and faults ---------------------------------------------------------------------------


def test_unknown_model_not_found(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as raised:
        ask(client, model="claude-nonexistent-9")

    assert raised.value.status_code == 404
    assert raised.value.body["type"] == "error"
    assert raised.value.body["error"]["type"] == "not_found_error"
    assert "claude-nonexistent-9" in raised.value.body["error"]["message"]
    assert raised.value.request_id


def test_openai_model_not_found(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError, match="gpt-4o"):
        ask(client, model="gpt-4o")


@pytest.mark.parametrize("missing", ["max_tokens", "messages", "model"])
def test_missing_field_names_it(client: anthropic.Anthropic, missing: str) -> None:
    body = {"model": SONNET, "max_tokens": 16, "messages": [{"role": "user", "content": "Hi"}]}
    del body[missing]

    with pytest.raises(anthropic.BadRequestError) as raised:
        client.post("/v1/messages", cast_to=object, body=body)

    assert raised.value.body["error"]["type"] == "invalid_request_error"
    assert raised.value.body["error"]["message"].startswith(f"{missing}: Field required")


def test_max_tokens_above_model_limit(client: anthropic.Anthropic) -> None:
    limit = PriceTable.default().get(HAIKU).max_output_tokens
    assert limit is not None

    body = {"model": HAIKU, "max_tokens": limit + 1, "messages": [{"role": "user", "content": "Hi"}]}

    # The SDK rejects such a large non-streaming request itself, so send the body directly.
    with pytest.raises(anthropic.BadRequestError, match=f"{limit + 1} > {limit}"):
        client.post("/v1/messages", cast_to=object, body=body)


def test_prompt_over_context_window(client: anthropic.Anthropic) -> None:
    window = PriceTable.default().get(SONNET).context_window
    assert window is not None
    too_long = "hello " * (window + 1_000)

    with pytest.raises(anthropic.BadRequestError, match="prompt is too long"):
        ask(client, question=too_long)


@pytest.mark.parametrize(
    ("messages", "path"),
    [
        ([{"role": "system", "content": "Hi"}], "messages.0.role"),
        ([{"role": "user", "content": [{"type": "video", "url": "x"}]}], "messages.0.content.0.type"),
        ([{"role": "user", "content": [{"type": "tool_result", "content": "42"}]}], "messages.0.content.0.tool_use_id"),
        ([{"role": "user", "content": None}], "messages.0.content"),
        ([{"role": "user", "content": []}], "messages.0.content"),
    ],
    ids=["system-role", "unknown-block", "tool-result-without-id", "none-content", "empty-content"],
)
def test_malformed_message_names_path(client: anthropic.Anthropic, messages: list[Any], path: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as raised:
        client.post("/v1/messages", cast_to=object, body={"model": SONNET, "max_tokens": 16, "messages": messages})

    assert raised.value.body["error"]["message"].startswith(path)


def test_unknown_route_not_found(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError, match="/v1/complete"):
        client.post("/v1/complete", cast_to=object, body={})


def test_rate_limit_retried_by_sdk(sandbox: Sandbox) -> None:
    sandbox.inject_fault("rate_limit", provider="anthropic", count=1, retry_after=0.001)
    client = sandbox.anthropic_client(max_retries=2)

    reply = ask(client)

    assert reply.type == "message"
    assert sandbox.request_counts["anthropic /v1/messages"] == 2


def test_rate_limit_error_shape(sandbox: Sandbox) -> None:
    sandbox.inject_fault("rate_limit", provider="anthropic", count=3, retry_after=0.001)
    client = sandbox.anthropic_client(max_retries=1)

    with pytest.raises(anthropic.RateLimitError) as raised:
        ask(client)

    assert raised.value.status_code == 429
    assert raised.value.response.headers["retry-after"] == "0.001"
    assert raised.value.body["error"]["type"] == "rate_limit_error"
    assert sandbox.request_counts["anthropic /v1/messages"] == 2


def test_overloaded_retried_by_sdk(sandbox: Sandbox) -> None:
    sandbox.inject_fault("overloaded", provider="anthropic", count=1)
    client = sandbox.anthropic_client(max_retries=1)

    assert ask(client).type == "message"
    assert sandbox.request_counts["anthropic /v1/messages"] == 2


def test_overloaded_error_shape(sandbox: Sandbox) -> None:
    sandbox.inject_fault("overloaded", provider="anthropic")
    client = sandbox.anthropic_client(max_retries=0)

    with pytest.raises(anthropic.OverloadedError) as raised:
        ask(client)

    assert raised.value.status_code == 529
    assert raised.value.body["error"]["type"] == "overloaded_error"


def test_server_error_shape(sandbox: Sandbox) -> None:
    sandbox.inject_fault("server_error", provider="anthropic")
    client = sandbox.anthropic_client(max_retries=0)

    with pytest.raises(anthropic.InternalServerError) as raised:
        ask(client)

    assert raised.value.status_code == 500
    assert raised.value.body["error"]["type"] == "api_error"


def test_timeout_raises_api_timeout(sandbox: Sandbox) -> None:
    sandbox.inject_fault("timeout", provider="anthropic")
    client = sandbox.anthropic_client(max_retries=0)

    with pytest.raises(anthropic.APITimeoutError):
        ask(client)


def test_fault_limited_to_its_path(sandbox: Sandbox, client: anthropic.Anthropic) -> None:
    sandbox.inject_fault("server_error", provider="anthropic", path="/v1/messages/count_tokens")
    no_retry = sandbox.anthropic_client(max_retries=0)

    assert ask(no_retry).type == "message"
    with pytest.raises(anthropic.InternalServerError):
        no_retry.messages.count_tokens(model=SONNET, messages=[{"role": "user", "content": "Hi"}])


def test_openai_fault_skips_anthropic(sandbox: Sandbox) -> None:
    sandbox.inject_fault("server_error", provider="openai")
    client = sandbox.anthropic_client(max_retries=0)

    assert ask(client).type == "message"


# Message Batches -----------------------------------------------------------------------------


def batch_requests(count: int, *, model: str = HAIKU) -> list[dict[str, Any]]:
    return [
        {"custom_id": f"q-{index}", "params": {"model": model, "max_tokens": 64, "messages": [{"role": "user", "content": f"Question {index}"}]}}
        for index in range(count)
    ]


def test_batch_ends_after_processing_time(sandbox: Sandbox, client: anthropic.Anthropic) -> None:
    batch = client.messages.batches.create(requests=batch_requests(3))
    sandbox.clock.advance(minutes=4)
    still_running = client.messages.batches.retrieve(batch.id)
    sandbox.clock.advance(minutes=2)
    ended = client.messages.batches.retrieve(batch.id)

    assert batch.processing_status == "in_progress"
    assert batch.request_counts.processing == 3
    assert batch.results_url is None
    assert still_running.processing_status == "in_progress"
    assert ended.processing_status == "ended"
    assert ended.request_counts.succeeded == 3
    assert ended.request_counts.processing == 0
    assert ended.ended_at is not None


def test_batch_results_cost_half(sandbox: Sandbox, client: anthropic.Anthropic) -> None:
    requests = batch_requests(2)
    batch = client.messages.batches.create(requests=requests)
    sandbox.clock.advance(minutes=10)
    results = {item.custom_id: item.result for item in client.messages.batches.results(batch.id)}
    realtime = Sandbox().anthropic_client().messages.create(**requests[1]["params"])

    assert sorted(results) == ["q-0", "q-1"]
    assert results["q-1"].type == "succeeded"
    batched = results["q-1"].message
    assert batched.usage.service_tier == "batch"
    assert batched.content[0].text == realtime.content[0].text
    assert batched.usage.input_tokens == realtime.usage.input_tokens
    assert cost_of(batched).batch
    assert cost_of(batched).total * 2 == cost_of(realtime).total


def test_batch_invalid_request_errored(sandbox: Sandbox, client: anthropic.Anthropic) -> None:
    requests = batch_requests(1)
    requests.append({"custom_id": "bad-model", "params": {"model": "claude-nonexistent-9", "max_tokens": 8, "messages": [{"role": "user", "content": "Hi"}]}})
    batch = client.messages.batches.create(requests=requests)
    sandbox.clock.advance(minutes=10)
    ended = client.messages.batches.retrieve(batch.id)
    results = {item.custom_id: item.result for item in client.messages.batches.results(batch.id)}

    assert ended.request_counts.succeeded == 1
    assert ended.request_counts.errored == 1
    assert results["bad-model"].type == "errored"
    assert results["bad-model"].error.error.type == "not_found_error"


def test_batch_cancel_cancels_requests(sandbox: Sandbox, client: anthropic.Anthropic) -> None:
    batch = client.messages.batches.create(requests=batch_requests(2))
    canceling = client.messages.batches.cancel(batch.id)
    ended = client.messages.batches.retrieve(batch.id)
    results = list(client.messages.batches.results(batch.id))

    assert canceling.processing_status == "canceling"
    assert ended.processing_status == "ended"
    assert ended.request_counts.canceled == 2
    assert [item.result.type for item in results] == ["canceled", "canceled"]


def test_batch_list_and_delete(sandbox: Sandbox, client: anthropic.Anthropic) -> None:
    first = client.messages.batches.create(requests=batch_requests(1))
    second = client.messages.batches.create(requests=batch_requests(1))

    with pytest.raises(anthropic.BadRequestError, match="cancel it"):
        client.messages.batches.delete(first.id)
    assert [batch.id for batch in client.messages.batches.list()] == [second.id, first.id]

    sandbox.clock.advance(minutes=10)
    client.messages.batches.delete(first.id)
    assert [batch.id for batch in client.messages.batches.list()] == [second.id]


def test_batch_duplicate_custom_id_rejected(client: anthropic.Anthropic) -> None:
    requests = batch_requests(2)
    requests[1]["custom_id"] = "q-0"

    with pytest.raises(anthropic.BadRequestError, match="duplicate custom_id 'q-0'"):
        client.messages.batches.create(requests=requests)


def test_batch_unknown_id_not_found(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError, match="msgbatch-missing"):
        client.messages.batches.retrieve("msgbatch-missing")
