"""Tests for costkit.tokens against the real bundled tiktoken encodings (no mocks)."""

from __future__ import annotations

import base64
import copy
import io
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from costkit.encodings import get_encoding
from costkit.errors import InvalidMessageError, UnknownModelError
from costkit.tokens import (
    count_image_tokens,
    count_message_tokens,
    count_tokens,
    count_tokens_many,
    count_tool_tokens,
    image_size_from_data_url,
    token_boundaries,
)

# Inputs of OpenAI's cookbook "How to count tokens with tiktoken", whose prompt_tokens it
# checked against the API.
COOKBOOK_MESSAGES = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English.",
    },
    {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
    {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client deliverable.",
    },
]

WEATHER_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_current_weather",
            "description": "Get the current weather in a given location",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                    "unit": {
                        "type": "string",
                        "description": "The unit of temperature to return",
                        "enum": ["celsius", "fahrenheit"],
                    },
                },
                "required": ["location"],
            },
        },
    }
]

WEATHER_MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
    {"role": "user", "content": "What's the weather like in San Francisco?"},
]


def _data_url(image_format: str, width: int, height: int, **save_options: Any) -> str:
    mode = "RGBA" if save_options.pop("alpha", False) else "RGB"
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color=(200, 30, 30, 128)[: len(mode)]).save(buffer, format=image_format, **save_options)
    mime = {"JPEG": "jpeg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}[image_format]
    return f"data:image/{mime};base64,{base64.b64encode(buffer.getvalue()).decode()}"


def _user_message(*parts: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"role": "user", "content": list(parts)}]


def _tool(name: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "parameters": {"type": "object", "properties": properties}}}


# --- count_tokens ---------------------------------------------------------------------------


def test_count_tokens_uses_model_encoding() -> None:
    text = "Cost engineering: count tokens before you spend them."

    assert count_tokens(text, "gpt-4o") == len(get_encoding("o200k_base").encode(text))
    assert count_tokens(text, "gpt-4") == len(get_encoding("cl100k_base").encode(text))


def test_count_tokens_empty_text_is_zero() -> None:
    assert count_tokens("") == 0


def test_count_tokens_special_token_text_is_ordinary() -> None:
    assert count_tokens("<|endoftext|>") > 1


def test_count_tokens_claude_is_o200k_estimate() -> None:
    text = "Claude's tokenizer is not public."

    assert count_tokens(text, "claude-sonnet-4-5") == count_tokens(text, "gpt-4o")


def test_tokens_reexports_is_estimate() -> None:
    from costkit import tokens

    assert tokens.is_estimate("claude-haiku-4-5") is True
    assert tokens.is_estimate("gpt-4o") is False


def test_count_tokens_encoding_override() -> None:
    assert count_tokens("hello world", "my-fine-tuned-model", encoding="cl100k_base") == 2


@pytest.mark.parametrize("value", [None, 42, b"bytes", ["a", "list"]])
def test_count_tokens_rejects_non_str(value: object) -> None:
    with pytest.raises(TypeError, match="expects text as a str"):
        count_tokens(value)  # type: ignore[arg-type]


def test_count_tokens_unknown_model() -> None:
    with pytest.raises(UnknownModelError, match="gpt-4o"):
        count_tokens("hello", "gpt-40")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_count_tokens_non_negative(text: str) -> None:
    count = count_tokens(text)

    assert count >= 0
    assert (count == 0) == (text == "")


# --- count_tokens_many ----------------------------------------------------------------------


def test_count_tokens_many_matches_single_counts() -> None:
    texts = ["", "hello world", "Grüße aus Köln", "def f(x):\n    return x * 2\n", "お誕生日おめでとう"] * 5

    assert count_tokens_many(texts, "gpt-4o") == [count_tokens(text, "gpt-4o") for text in texts]


@pytest.mark.parametrize("num_threads", [1, 2, 8])
def test_count_tokens_many_thread_counts_agree(num_threads: int) -> None:
    texts = [f"document number {index} " * index for index in range(40)]

    assert count_tokens_many(texts, "gpt-4", num_threads=num_threads) == [count_tokens(t, "gpt-4") for t in texts]


def test_count_tokens_many_names_bad_index() -> None:
    with pytest.raises(TypeError, match=r"texts\[1\] must be a str"):
        count_tokens_many(["ok", None])  # type: ignore[list-item]


def test_count_tokens_many_rejects_single_str() -> None:
    with pytest.raises(TypeError, match="for one text use count_tokens"):
        count_tokens_many("just one text")


@pytest.mark.parametrize("num_threads", [0, -1, 1.5, True])
def test_count_tokens_many_rejects_bad_threads(num_threads: object) -> None:
    with pytest.raises(ValueError, match="num_threads"):
        count_tokens_many(["a"], num_threads=num_threads)  # type: ignore[arg-type]


# --- token_boundaries -----------------------------------------------------------------------


def test_token_boundaries_pieces() -> None:
    pieces = token_boundaries("Hello, world!")

    assert pieces == ["Hello", ",", " world", "!"]


def test_token_boundaries_split_character_shows_replacement() -> None:
    pieces = token_boundaries("お誕生日おめでとう", "gpt-4")

    assert len(pieces) == count_tokens("お誕生日おめでとう", "gpt-4")
    assert "\ufffd" in "".join(pieces)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126)) | st.text())
def test_token_boundaries_cover_text(text: str) -> None:
    pieces = token_boundaries(text)

    assert len(pieces) == count_tokens(text)
    if "\ufffd" not in "".join(pieces):
        assert "".join(pieces) == text


# --- count_message_tokens: published counts -------------------------------------------------


@pytest.mark.parametrize(
    ("model", "expected"),
    [("gpt-3.5-turbo", 129), ("gpt-4-0613", 129), ("gpt-4", 129), ("gpt-4o", 124), ("gpt-4o-mini", 124)],
)
def test_cookbook_messages_match_api(model: str, expected: int) -> None:
    assert count_message_tokens(COOKBOOK_MESSAGES, model) == expected


@pytest.mark.parametrize(
    ("model", "expected"),
    [("gpt-3.5-turbo", 105), ("gpt-4", 105), ("gpt-4o", 101), ("gpt-4o-mini", 101)],
)
def test_cookbook_weather_tool_matches_api(model: str, expected: int) -> None:
    assert count_message_tokens(WEATHER_MESSAGES, model, tools=WEATHER_TOOLS) == expected


def test_tool_tokens_are_the_difference() -> None:
    with_tools = count_message_tokens(WEATHER_MESSAGES, "gpt-4o", tools=WEATHER_TOOLS)
    without_tools = count_message_tokens(WEATHER_MESSAGES, "gpt-4o")

    assert count_tool_tokens(WEATHER_TOOLS, "gpt-4o") == with_tools - without_tools


def test_legacy_functions_count_like_tools() -> None:
    functions = [tool["function"] for tool in WEATHER_TOOLS]

    assert count_message_tokens(WEATHER_MESSAGES, "gpt-4", functions=functions) == 105


def test_empty_tools_count_zero() -> None:
    assert count_tool_tokens([], "gpt-4o") == 0
    assert count_message_tokens(WEATHER_MESSAGES, tools=[]) == count_message_tokens(WEATHER_MESSAGES)


def test_tool_call_and_result_match_api_report() -> None:
    # gpt-4 reported 35 prompt tokens for this request (an assistant tool call and its result).
    messages = [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_Id8ycVMsW8gdsf7kSXfgAcf1",
                    "type": "function",
                    "function": {"name": "get_current_weather", "arguments": '{\n  "location": "Boston, MA"\n}'},
                }
            ],
        },
        {
            "role": "tool",
            "tool_call_id": "call_Id8ycVMsW8gdsf7kSXfgAcf1",
            "name": "get_current_weather",
            "content": "29 degree celcius",
        },
    ]

    assert count_message_tokens(messages, "gpt-4") == 35


def test_function_call_counts_like_tool_call() -> None:
    call = {"name": "get_current_weather", "arguments": '{"location": "Paris"}'}
    with_function_call = [{"role": "assistant", "content": None, "function_call": call}]
    with_tool_call = [{"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": call}]}]

    assert count_message_tokens(with_function_call) == count_message_tokens(with_tool_call)


def test_each_tool_call_adds_name_arguments_and_overhead() -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"id": 7}'}}
    one = count_message_tokens([{"role": "assistant", "tool_calls": [call]}])
    two = count_message_tokens([{"role": "assistant", "tool_calls": [call, call]}])

    assert two - one == count_tokens("lookup") + count_tokens('{"id": 7}') + 3


def test_function_role_result_counts_two_less() -> None:
    user = count_message_tokens([{"role": "user", "content": "72F and sunny"}])
    function = count_message_tokens([{"role": "function", "name": "weather", "content": "72F and sunny"}])

    assert function == user - count_tokens("user") + count_tokens("function") - 2 + count_tokens("weather") + 1


# --- count_message_tokens: structure --------------------------------------------------------


def test_single_message_framing() -> None:
    content = "Summarise this contract."

    assert count_message_tokens([{"role": "user", "content": content}]) == 3 + 1 + count_tokens(content) + 3


def test_name_adds_one_plus_its_tokens() -> None:
    plain = count_message_tokens([{"role": "user", "content": "Hi"}])
    named = count_message_tokens([{"role": "user", "content": "Hi", "name": "example_user"}])

    assert named - plain == count_tokens("example_user") + 1


def test_empty_message_list_is_reply_priming() -> None:
    assert count_message_tokens([]) == 3


def test_text_parts_count_like_string_content() -> None:
    as_string = count_message_tokens([{"role": "user", "content": "What is in this file?"}])
    as_part = count_message_tokens(_user_message({"type": "text", "text": "What is in this file?"}))

    assert as_part == as_string


def test_several_text_parts_add_up() -> None:
    parts = [{"type": "text", "text": "First part."}, {"type": "text", "text": "Second part."}]

    assert count_message_tokens(_user_message(*parts)) == 3 + 1 + count_tokens("First part.") + count_tokens("Second part.") + 3


def test_refusal_part_counts_its_text() -> None:
    messages = [{"role": "assistant", "content": [{"type": "refusal", "refusal": "I can't help with that."}]}]

    assert count_message_tokens(messages) == 3 + count_tokens("assistant") + count_tokens("I can't help with that.") + 3


@pytest.mark.parametrize(
    ("image_format", "options"),
    [("PNG", {}), ("JPEG", {}), ("GIF", {}), ("WEBP", {}), ("WEBP", {"lossless": True}), ("WEBP", {"alpha": True})],
)
def test_image_part_from_data_url(image_format: str, options: dict[str, Any]) -> None:
    url = _data_url(image_format, 1024, 1024, **options)
    messages = _user_message({"type": "text", "text": "Describe it."}, {"type": "image_url", "image_url": {"url": url, "detail": "high"}})

    assert count_message_tokens(messages, "gpt-4o") == 3 + 1 + count_tokens("Describe it.") + 765 + 3


def test_image_part_low_detail_costs_base() -> None:
    url = _data_url("PNG", 4000, 3000)
    messages = _user_message({"type": "image_url", "image_url": {"url": url, "detail": "low"}})

    assert count_message_tokens(messages, "gpt-4o") == 3 + 1 + 85 + 3


def test_image_part_auto_detail_counts_as_high() -> None:
    url = _data_url("PNG", 2048, 4096)
    messages = _user_message({"type": "image_url", "image_url": {"url": url}})

    assert count_message_tokens(messages, "gpt-4o") == 3 + 1 + 1105 + 3


def test_remote_image_needs_size() -> None:
    messages = _user_message({"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}})

    with pytest.raises(InvalidMessageError, match=r"messages\[0\]\.content\[0\].*image_sizes"):
        count_message_tokens(messages)


def test_remote_image_with_size_hint() -> None:
    url = "https://example.com/cat.png"
    messages = _user_message({"type": "image_url", "image_url": {"url": url, "detail": "high"}})

    assert count_message_tokens(messages, "gpt-4o", image_sizes={url: (1024, 1024)}) == 3 + 1 + 765 + 3


def test_image_part_with_bad_data_url() -> None:
    messages = _user_message({"type": "image_url", "image_url": {"url": "data:image/png;base64,aGVsbG8="}})

    with pytest.raises(InvalidMessageError, match="cannot read the image size"):
        count_message_tokens(messages)


# --- count_message_tokens: bad input --------------------------------------------------------


@pytest.mark.parametrize("messages", [None, "hello", {"role": "user", "content": "hi"}, 7])
def test_messages_must_be_a_list(messages: object) -> None:
    with pytest.raises(InvalidMessageError, match="messages must be a list"):
        count_message_tokens(messages)  # type: ignore[arg-type]


def test_message_must_be_a_dict() -> None:
    with pytest.raises(InvalidMessageError, match=r"messages\[1\] must be a dict"):
        count_message_tokens([{"role": "user", "content": "hi"}, "second"])  # type: ignore[list-item]


def test_message_without_role() -> None:
    with pytest.raises(InvalidMessageError, match=r"messages\[0\] has no role.*'role': 'system'"):
        count_message_tokens([{"content": "hi"}])


def test_none_content_rejected_for_user() -> None:
    with pytest.raises(InvalidMessageError, match=r"messages\[0\] \(user\) has content None.*tool_calls"):
        count_message_tokens([{"role": "user", "content": None}])


def test_none_content_allowed_with_tool_calls() -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}

    assert count_message_tokens([{"role": "assistant", "content": None, "tool_calls": [call]}]) > 3


def test_unknown_part_type() -> None:
    with pytest.raises(InvalidMessageError, match=r"messages\[0\]\.content\[1\] has unknown content part type 'video'"):
        count_message_tokens(_user_message({"type": "text", "text": "a"}, {"type": "video", "video": "x"}))


def test_audio_part_cannot_be_counted() -> None:
    part = {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}

    with pytest.raises(InvalidMessageError, match="cannot count offline"):
        count_message_tokens(_user_message(part))


def test_text_part_must_be_str() -> None:
    with pytest.raises(InvalidMessageError, match=r"content\[0\] is a 'text' part.*must be a str, got int"):
        count_message_tokens(_user_message({"type": "text", "text": 42}))


def test_content_of_wrong_type() -> None:
    with pytest.raises(InvalidMessageError, match=r"messages\[0\]\.content must be a str or a list"):
        count_message_tokens([{"role": "user", "content": 3.14}])


def test_name_must_be_str() -> None:
    with pytest.raises(InvalidMessageError, match=r"messages\[0\]\.name must be a str"):
        count_message_tokens([{"role": "user", "content": "hi", "name": 5}])


def test_malformed_tool_call() -> None:
    with pytest.raises(InvalidMessageError, match=r"tool_calls\[0\] must be"):
        count_message_tokens([{"role": "assistant", "content": None, "tool_calls": [{"id": "x"}]}])


def test_non_function_tool_rejected() -> None:
    with pytest.raises(InvalidMessageError, match=r"tools\[0\] must be"):
        count_tool_tokens([{"type": "web_search"}])


def test_tool_without_name_rejected() -> None:
    with pytest.raises(InvalidMessageError, match=r"tools\[0\]\.function must be a dict with a str 'name'"):
        count_tool_tokens([{"type": "function", "function": {"description": "no name"}}])


# --- count_message_tokens: properties -------------------------------------------------------

_roles = st.sampled_from(["system", "user", "assistant", "developer"])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(_roles, st.text(max_size=200)), max_size=6),
    _roles,
    st.text(max_size=200),
    st.sampled_from(["gpt-4o", "gpt-4", "claude-haiku-4-5"]),
)
def test_each_plain_message_adds_framing_role_and_content(
    conversation: list[tuple[str, str]], role: str, content: str, model: str
) -> None:
    messages = [{"role": r, "content": c} for r, c in conversation]
    before = count_message_tokens(messages, model)

    after = count_message_tokens([*messages, {"role": role, "content": content}], model)

    assert after - before == 3 + count_tokens(role, model) + count_tokens(content, model)


_property_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
_leaf_schemas = st.fixed_dictionaries(
    {"type": st.sampled_from(["string", "integer", "number", "boolean"])},
    optional={
        "description": st.text(max_size=40),
        "enum": st.lists(st.text(min_size=1, max_size=10), min_size=1, max_size=4),
    },
)
_schemas = st.recursive(
    _leaf_schemas,
    lambda children: st.one_of(
        st.fixed_dictionaries({"type": st.just("object"), "properties": st.dictionaries(_property_names, children, max_size=4)}),
        st.fixed_dictionaries({"type": st.just("array"), "items": children}),
    ),
    max_leaves=8,
)


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {key: _shuffled(child, rng) for key, child in items}
    if isinstance(value, list):
        return [_shuffled(child, rng) for child in value]
    return value


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(_property_names, _schemas, min_size=1, max_size=5),
    st.text(max_size=60),
    st.randoms(use_true_random=False),
)
def test_tool_count_ignores_dict_order(properties: dict[str, Any], description: str, rng: random.Random) -> None:
    tool = _tool("search", properties)
    tool["function"]["description"] = description

    reordered = _shuffled(copy.deepcopy(tool), rng)

    assert count_tool_tokens([reordered], "gpt-4o") == count_tool_tokens([tool], "gpt-4o")
    assert count_tool_tokens([reordered], "gpt-4") == count_tool_tokens([tool], "gpt-4")


def test_nested_object_properties_are_counted() -> None:
    flat = _tool("create_order", {"customer": {"type": "object", "description": "Who orders"}})
    nested = _tool(
        "create_order",
        {
            "customer": {
                "type": "object",
                "description": "Who orders",
                "properties": {"email": {"type": "string", "description": "Contact address"}},
            }
        },
    )

    extra = count_tool_tokens([nested]) - count_tool_tokens([flat])

    assert extra == 3 + 3 + count_tokens("email:string:Contact address")


def test_array_item_enum_is_counted() -> None:
    plain = _tool("tag", {"labels": {"type": "array", "items": {"type": "string"}}})
    with_enum = _tool("tag", {"labels": {"type": "array", "items": {"type": "string", "enum": ["bug", "feature"]}}})

    extra = count_tool_tokens([with_enum]) - count_tool_tokens([plain])

    assert extra == -3 + 3 + count_tokens("bug") + 3 + count_tokens("feature")


# --- count_image_tokens ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "detail", "model", "expected"),
    [
        (1024, 1024, "high", "gpt-4o", 765),
        (2048, 4096, "high", "gpt-4o", 1105),
        (4096, 8192, "low", "gpt-4o", 85),
        (1024, 1024, "auto", "gpt-4o", 765),
        (512, 512, "high", "gpt-4o-2024-08-06", 255),
        (1024, 1024, "high", "gpt-4.1", 765),
        (1024, 1024, "high", "gpt-4o-mini", 2833 + 4 * 5667),
        (1024, 1024, "low", "gpt-4o-mini", 2833),
        (1024, 1024, "high", "gpt-5", 70 + 4 * 140),
        (1024, 1024, "high", "o1", 75 + 4 * 150),
        # Patch-priced models: 1024 and 1452 patches in OpenAI's worked examples.
        (1024, 1024, "high", "gpt-4.1-mini", round(1024 * 1.62)),
        (1800, 2400, "high", "gpt-4.1-mini", round(1452 * 1.62)),
        (1800, 2400, "low", "gpt-4.1-nano", round(1452 * 2.46)),
        (128, 64, "high", "o4-mini", round(8 * 1.72)),
    ],
)
def test_count_image_tokens(width: int, height: int, detail: str, model: str, expected: int) -> None:
    assert count_image_tokens(width, height, detail=detail, model=model) == expected


def test_image_resize_rounds_to_whole_pixels() -> None:
    # 2050x513 fits 2048x2048 as 2048x512 (one row of tiles); 2049x513 stays 513 high (two rows).
    assert count_image_tokens(2050, 513, detail="high") == 85 + 4 * 170
    assert count_image_tokens(2049, 513, detail="high") == 85 + 8 * 170


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 200_000), st.integers(1, 200_000))
def test_high_detail_tiles_stay_within_bounds(width: int, height: int) -> None:
    tokens = count_image_tokens(width, height, detail="high")

    # At most 2 x 4 tiles: the shortest side ends at or below 768 px and the longest at or below 2048 px.
    assert 85 + 170 <= tokens <= 85 + 170 * 8
    assert count_image_tokens(height, width, detail="high") == tokens


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 200_000), st.integers(1, 200_000))
def test_patches_never_exceed_cap(width: int, height: int) -> None:
    assert 1 <= count_image_tokens(width, height, model="gpt-4.1-mini") <= round(1536 * 1.62)


@pytest.mark.parametrize(("width", "height"), [(0, 10), (10, -1), (1.5, 10), (True, 10), ("10", 10)])
def test_count_image_tokens_rejects_bad_size(width: object, height: object) -> None:
    with pytest.raises(ValueError, match="positive int"):
        count_image_tokens(width, height)  # type: ignore[arg-type]


def test_count_image_tokens_rejects_bad_detail() -> None:
    with pytest.raises(ValueError, match="detail must be one of"):
        count_image_tokens(100, 100, detail="medium")


def test_count_image_tokens_model_without_vision() -> None:
    with pytest.raises(ValueError, match="does not accept image input"):
        count_image_tokens(100, 100, model="o3-mini")


def test_count_image_tokens_unknown_model() -> None:
    with pytest.raises(UnknownModelError):
        count_image_tokens(100, 100, model="vision-9000")


def test_count_image_tokens_no_rule_for_known_model() -> None:
    with pytest.raises(ValueError, match="no image token rule for model 'gpt-3.5-turbo'"):
        count_image_tokens(100, 100, model="gpt-3.5-turbo")


# --- image_size_from_data_url ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("image_format", "options"),
    [("PNG", {}), ("JPEG", {}), ("JPEG", {"progressive": True}), ("GIF", {}), ("WEBP", {}), ("WEBP", {"lossless": True}), ("WEBP", {"alpha": True})],
)
@pytest.mark.parametrize(("width", "height"), [(1, 1), (640, 480), (333, 1999), (4097, 17)])
def test_image_size_from_data_url(image_format: str, options: dict[str, Any], width: int, height: int) -> None:
    assert image_size_from_data_url(_data_url(image_format, width, height, **dict(options))) == (width, height)


@pytest.mark.parametrize(
    "url",
    ["https://example.com/a.png", "data:image/png,rawdata", "data:image/png;base64,aGVsbG8gd29ybGQ=", "data:image/jpeg;base64,/9j/"],
)
def test_image_size_from_data_url_rejects(url: str) -> None:
    with pytest.raises(ValueError):
        image_size_from_data_url(url)


def test_image_unknown_model_names_fix() -> None:
    with pytest.raises(UnknownModelError) as error:
        count_image_tokens(1024, 1024, model="gpt-4oo")

    message = str(error.value)
    assert "Did you mean 'gpt-4o'" in message
    assert "encoding=" not in message
    assert "read the image tokens from response.usage" in message
