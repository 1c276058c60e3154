"""Tests for the reviewed price table, model resolution and calculate_cost."""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costkit.errors import InvalidTokenCountError, PriceTableError, UnknownModelError
from costkit.pricing import (
    ModelPrice,
    PriceTable,
    bundled_prices_path,
    calculate_cost,
    get_price,
    load_litellm_prices,
)
from costkit.litellm_prices import read_litellm_prices

FIXTURE = Path(__file__).parent / "fixtures" / "litellm_sample.json"
D = Decimal

# Published prices, USD per 1M tokens: input, cached input, output.
OPENAI_PRICES = {
    "gpt-4o": ("2.50", "1.25", "10.00"),
    "gpt-4o-mini": ("0.15", "0.075", "0.60"),
    "gpt-4.1": ("2.00", "0.50", "8.00"),
    "gpt-4.1-mini": ("0.40", "0.10", "1.60"),
    "gpt-4.1-nano": ("0.10", "0.025", "0.40"),
    "o4-mini": ("1.10", "0.275", "4.40"),
    "gpt-5": ("1.25", "0.125", "10.00"),
    "gpt-5-mini": ("0.25", "0.025", "2.00"),
    "gpt-5-nano": ("0.05", "0.005", "0.40"),
}

# Input, 5-minute write, 1-hour write, cache read, output.
ANTHROPIC_PRICES = {
    "claude-sonnet-4-5": ("3", "3.75", "6", "0.30", "15"),
    "claude-sonnet-4-6": ("3", "3.75", "6", "0.30", "15"),
    "claude-haiku-4-5": ("1", "1.25", "2", "0.10", "5"),
    "claude-opus-4-5": ("5", "6.25", "10", "0.50", "25"),
    "claude-opus-4-6": ("5", "6.25", "10", "0.50", "25"),
    "claude-3-5-haiku": ("0.80", "1.00", "1.60", "0.08", "4"),
}

GOOGLE_PRICES = {
    "gemini-2.0-flash": ("0.10", "0.025", "0.40"),
    "gemini-2.0-flash-lite": ("0.075", None, "0.30"),
    "gemini-2.5-flash": ("0.30", "0.03", "2.50"),
    "gemini-2.5-pro": ("1.25", "0.125", "10"),
}


@pytest.fixture(scope="module")
def table() -> PriceTable:
    return PriceTable.default()


@pytest.mark.parametrize("model", sorted(OPENAI_PRICES))
def test_openai_published_prices(table: PriceTable, model: str) -> None:
    input_price, cached_price, output_price = OPENAI_PRICES[model]
    row = table.get(model)
    assert row.input == D(input_price)
    assert row.cached_input == D(cached_price)
    assert row.output == D(output_price)
    assert row.batch_input == D(input_price) / 2
    assert row.batch_output == D(output_price) / 2


@pytest.mark.parametrize("model", sorted(ANTHROPIC_PRICES))
def test_anthropic_published_prices(table: PriceTable, model: str) -> None:
    input_price, write_5m, write_1h, read, output_price = (D(value) for value in ANTHROPIC_PRICES[model])
    row = table.get(model)
    assert row.input == input_price
    assert row.cache_write_5m == write_5m == input_price * D("1.25")
    assert row.cache_write_1h == write_1h == input_price * 2
    assert row.cached_input == read == input_price * D("0.1")
    assert row.output == output_price
    assert row.batch_input == input_price / 2
    assert row.batch_output == output_price / 2


@pytest.mark.parametrize("model", sorted(GOOGLE_PRICES))
def test_google_published_prices(table: PriceTable, model: str) -> None:
    input_price, cached_price, output_price = GOOGLE_PRICES[model]
    row = table.get(model)
    assert row.input == D(input_price)
    assert row.cached_input == (D(cached_price) if cached_price else None)
    assert row.output == D(output_price)


def test_gemini_flash_is_not_flash_lite(table: PriceTable) -> None:
    flash = table.get("gemini-2.0-flash")
    assert (flash.input, flash.output) == (D("0.10"), D("0.40"))
    assert flash.discontinued_on == "2026-06-01"
    lite = table.get("gemini-2.0-flash-lite")
    assert (lite.input, lite.output) == (D("0.075"), D("0.30"))


def test_gemini_pro_long_context_tier(table: PriceTable) -> None:
    row = table.get("gemini-2.5-pro")
    assert row.long_context_threshold == 200_000
    assert (row.long_context_input, row.long_context_cached_input, row.long_context_output) == (D("2.50"), D("0.25"), D("15.00"))


@pytest.mark.parametrize(
    ("model", "price"), [("text-embedding-3-small", "0.02"), ("text-embedding-3-large", "0.13"), ("text-embedding-ada-002", "0.10")]
)
def test_embedding_prices(table: PriceTable, model: str, price: str) -> None:
    row = table.get(model)
    assert row.input == D(price)
    assert row.mode == "embedding"
    assert row.encoding == "cl100k_base"


def test_every_row_has_source_and_as_of(table: PriceTable) -> None:
    for row in table:
        assert row.source, row.model
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row.as_of), row.model
        assert row.as_of in ("2026-08-21", "2026-09-01"), row.model


def test_encodings_per_family(table: PriceTable) -> None:
    for row in table:
        if row.mode == "embedding":
            assert row.encoding == "cl100k_base"
        else:
            assert row.encoding == "o200k_base", row.model
        assert row.encoding_exact == (row.provider == "openai"), row.model


def test_anthropic_minimum_cacheable_tokens(table: PriceTable) -> None:
    for row in table:
        if row.provider == "anthropic":
            assert row.min_cacheable_tokens in (1024, 2048, 4096), row.model
    assert table.get("claude-haiku-4-5").min_cacheable_tokens == 4096
    assert table.get("claude-3-5-haiku").min_cacheable_tokens == 2048


def test_csv_header_and_row_width() -> None:
    with bundled_prices_path().open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        widths = {len(row) for row in reader}
    assert widths == {len(header)}
    for column in ("model", "provider", "input", "output", "cached_input", "cache_write_5m", "cache_write_1h", "batch_input",
                   "batch_output", "long_context_threshold", "encoding", "context_window", "aliases", "as_of", "source"):  # fmt: skip
        assert column in header


@pytest.mark.parametrize(
    ("requested", "resolved"),
    [
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-2024-11-20", "gpt-4o"),
        ("openai/gpt-4o", "gpt-4o"),
        ("OpenAI/GPT-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("anthropic/claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("claude-3-5-haiku-latest", "claude-3-5-haiku"),
        ("claude-3-5-haiku-20241022", "claude-3-5-haiku"),
        ("claude-haiku-4-5-20251001", "claude-haiku-4-5"),
        ("claude-sonnet-4.5", "claude-sonnet-4-5"),
        ("gpt-5-2025-08-07", "gpt-5"),
        ("models/gemini-2.5-pro", "gemini-2.5-pro"),
        ("gemini-2.0-flash-001", "gemini-2.0-flash"),
    ],
)
def test_snapshot_and_alias_resolution(table: PriceTable, requested: str, resolved: str) -> None:
    assert table.get(requested).model == resolved


def test_exact_snapshot_row_beats_stripping(table: PriceTable) -> None:
    first_snapshot = table.get("gpt-4o-2024-05-13")
    assert first_snapshot.model == "gpt-4o-2024-05-13"
    assert first_snapshot.input == D("5.00")


def test_unknown_model_names_close_matches(table: PriceTable) -> None:
    with pytest.raises(UnknownModelError) as caught:
        table.get("gpt-4o-mni")
    assert "gpt-4o-mini" in caught.value.suggestions
    assert len(caught.value.suggestions) <= 3
    assert "gpt-4o-mini" in str(caught.value)
    assert "with_price" in str(caught.value)


def test_unknown_model_is_never_free() -> None:
    with pytest.raises(UnknownModelError):
        calculate_cost("llama-3.1-70b", 1_000, 1_000)


def test_rag_query_costs() -> None:
    assert calculate_cost("gpt-4o", 1_500, 300) == D("0.00675")
    assert calculate_cost("gpt-4o-mini", 1_500, 300) == D("0.000405")


def test_cached_input_at_cached_price() -> None:
    # 4,000-token prompt with 3,600 tokens read from cache on Sonnet: $2.28 per 1K requests.
    per_request = calculate_cost("claude-sonnet-4-6", 400, 0, cached_input_tokens=3_600)
    assert per_request * 1_000 == D("2.28")
    assert calculate_cost("claude-sonnet-4-6", 4_000, 0) * 1_000 - per_request * 1_000 == D("9.72")


def test_anthropic_cache_write_multipliers() -> None:
    base = calculate_cost("claude-sonnet-4-5", 1_000_000, 0)
    assert calculate_cost("claude-sonnet-4-5", 0, 0, cache_write_5m_tokens=1_000_000) == base * D("1.25")
    assert calculate_cost("claude-sonnet-4-5", 0, 0, cache_write_1h_tokens=1_000_000) == base * 2
    assert calculate_cost("claude-sonnet-4-5", 0, 0, cached_input_tokens=1_000_000) == base / 10


def test_openai_cache_writes_bill_as_input() -> None:
    assert calculate_cost("gpt-4o", 0, 0, cache_write_5m_tokens=1_000) == calculate_cost("gpt-4o", 1_000, 0)


def test_batch_example_is_half_price() -> None:
    realtime = calculate_cost("gpt-4o-mini", 500, 500) * 100
    batch = calculate_cost("gpt-4o-mini", 500, 500, batch=True) * 100
    assert realtime == D("0.0375")
    assert batch == D("0.01875")
    assert (realtime - batch) * 100 == D("1.875")


def test_batch_cached_tokens_use_cached_price() -> None:
    # Anthropic stacks the caching and batch multipliers: a batched cache read costs 0.5 x 0.30.
    assert calculate_cost("claude-sonnet-4-5", 0, 0, cached_input_tokens=1_000_000, batch=True) == D("0.15")
    # Google: the cache discount takes precedence, so the batched cache read keeps the cached price.
    assert calculate_cost("gemini-2.5-flash", 0, 0, cached_input_tokens=1_000_000, batch=True) == D("0.03")
    # Never the batch input price (0.625 for gpt-5).
    assert calculate_cost("gpt-5", 0, 0, cached_input_tokens=1_000_000, batch=True) == D("0.0625")


def test_long_context_tier_uses_whole_prompt() -> None:
    below = calculate_cost("gemini-2.5-pro", 200_000, 1_000)
    assert below == D("0.26")
    above = calculate_cost("gemini-2.5-pro", 150_000, 1_000, cached_input_tokens=50_001)
    assert above == D("150000") * D("2.50") / 10**6 + D("50001") * D("0.25") / 10**6 + D("0.015")


def test_long_context_tier_in_batch() -> None:
    cost = calculate_cost("gemini-2.5-pro", 300_000, 0, batch=True)
    assert cost == D("300000") * D("1.25") / 10**6


def test_batch_without_batch_price_raises() -> None:
    table = PriceTable.default().with_price("my-model", input="1", output="2")
    with pytest.raises(PriceTableError, match="batch"):
        calculate_cost("my-model", 10, 10, batch=True, table=table)


@pytest.mark.parametrize("bad", [-1, 1.5, 2.0, True, None, "100", D("10")])
def test_bad_token_counts_rejected(bad: object) -> None:
    with pytest.raises(InvalidTokenCountError) as caught:
        calculate_cost("gpt-4o", bad, 10)  # type: ignore[arg-type]
    assert "input_tokens" in str(caught.value)
    assert repr(bad) in str(caught.value) or str(bad) in str(caught.value)


def test_bad_cached_count_names_argument() -> None:
    with pytest.raises(InvalidTokenCountError, match="cached_input_tokens"):
        calculate_cost("gpt-4o", 10, 10, cached_input_tokens=-5)


def test_with_price_adds_custom_model() -> None:
    table = PriceTable.default().with_price("acme-llm", input="2", output=8, cached_input=0.5, aliases=["acme"])
    assert calculate_cost("acme", 1_000_000, 1_000_000, cached_input_tokens=1_000_000, table=table) == D("10.5")
    assert "acme-llm" not in PriceTable.default()
    assert table.get("acme-llm").source == "custom price"


def test_with_price_replaces_row() -> None:
    table = PriceTable.default().with_price("gpt-4o", input="3", output="12")
    assert table.get("gpt-4o").input == D("3")
    assert len(table) == len(PriceTable.default())


def test_with_price_rejects_unknown_field() -> None:
    with pytest.raises(TypeError, match="cache_price"):
        PriceTable.default().with_price("x", input=1, output=1, cache_price=1)


def test_with_price_rejects_negative_price() -> None:
    with pytest.raises(PriceTableError, match="input"):
        PriceTable.default().with_price("x", input=-1, output=1)


def test_default_table_is_cached() -> None:
    assert PriceTable.default() is PriceTable.default()
    assert get_price("gpt-4o") is PriceTable.default().get("gpt-4o")


def test_models_lists_every_row(table: PriceTable) -> None:
    models = table.models()
    assert models == sorted(models)
    assert {"gpt-4o", "claude-opus-4-6", "gemini-2.5-pro"} <= set(models)
    assert table.as_of == "2026-08-21"


def test_from_csv_rejects_bad_price(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("model,provider,input,output,as_of,source\nx,openai,abc,1,2026-08-21,test\n", encoding="utf-8")
    with pytest.raises(PriceTableError, match="line 2"):
        PriceTable.from_csv(path)


def test_from_csv_rejects_duplicate_alias(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("model,input,output,aliases\na,1,1,shared\nb,1,1,shared\n", encoding="utf-8")
    with pytest.raises(PriceTableError, match="shared"):
        PriceTable.from_csv(path)


def test_to_frame_has_row_per_model(table: PriceTable) -> None:
    frame = table.to_frame()
    assert len(frame) == len(table)
    assert frame.loc["gpt-4o", "input"] == D("2.50")


# --- LiteLLM import ----------------------------------------------------------------------


def test_litellm_rows_are_read() -> None:
    rows = {row.model: row for row in read_litellm_prices(FIXTURE)}
    assert "sample_spec" not in rows
    assert "dall-e-3" not in rows
    assert "example-provider/half-priced-model" not in rows
    haiku = rows["claude-3-haiku-20240307"]
    assert (haiku.input, haiku.output) == (D("0.25"), D("1.25"))
    assert (haiku.cache_write_5m, haiku.cache_write_1h, haiku.cached_input) == (D("0.3"), D("0.5"), D("0.03"))
    assert (haiku.batch_input, haiku.batch_output) == (D("0.125"), D("0.625"))
    assert haiku.discontinued_on == "2026-10-01"
    assert rows["voyage/voyage-3"].mode == "embedding"
    assert rows["voyage/voyage-3"].output == 0


def test_litellm_prices_match_raw_file() -> None:
    raw = json.loads(FIXTURE.read_text(encoding="utf-8"), parse_float=Decimal)
    for row in read_litellm_prices(FIXTURE):
        assert row.input == raw[row.model]["input_cost_per_token"] * 1_000_000


def test_reviewed_row_wins_over_litellm() -> None:
    table = load_litellm_prices(FIXTURE)
    flash = table.get("gemini-2.0-flash")
    assert (flash.input, flash.output) == (D("0.10"), D("0.40"))
    assert flash.source != "LiteLLM litellm_sample.json"
    assert table.get("gpt-4o-2024-08-06").model == "gpt-4o"


def test_litellm_fills_missing_models() -> None:
    table = load_litellm_prices(FIXTURE)
    assert calculate_cost("deepseek-chat", 1_000_000, 1_000_000, table=table) == D("1.37")
    assert calculate_cost("claude-3-haiku-20240307", 0, 0, cache_write_1h_tokens=1_000_000, table=table) == D("0.5")
    assert "deepseek-chat" not in PriceTable.default()


def test_litellm_long_context_tier() -> None:
    table = load_litellm_prices(FIXTURE)
    row = table.get("gemini/gemini-1.5-pro")
    assert row.long_context_threshold == 128_000
    assert calculate_cost(row, 128_001, 0) == D("128001") * D("2.5") / 10**6


def test_litellm_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(PriceTableError, match="broken.json"):
        read_litellm_prices(path)


# --- laws ----------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=10_000_000)
flat_models = sorted(row.model for row in PriceTable.default() if row.long_context_threshold is None and row.mode == "chat")
all_chat_models = sorted(row.model for row in PriceTable.default() if row.mode == "chat")


@given(st.sampled_from(flat_models), st.tuples(counts, counts, counts, counts, counts), st.tuples(counts, counts, counts, counts, counts), st.booleans())
def test_cost_is_additive(model: str, first: tuple[int, ...], second: tuple[int, ...], batch: bool) -> None:
    def cost(values: tuple[int, ...]) -> Decimal:
        uncached, cached, write_5m, write_1h, output = values
        return calculate_cost(model, uncached, output, cached_input_tokens=cached, cache_write_5m_tokens=write_5m,
                              cache_write_1h_tokens=write_1h, batch=batch)  # fmt: skip

    both = tuple(a + b for a, b in zip(first, second))
    assert cost(first) + cost(second) == cost(both)


@given(st.sampled_from(all_chat_models), st.tuples(counts, counts, counts, counts, counts), st.integers(0, 4), st.integers(1, 500_000))
def test_cost_is_monotone_and_non_negative(model: str, values: tuple[int, ...], bucket: int, extra: int) -> None:
    def cost(values: tuple[int, ...]) -> Decimal:
        uncached, cached, write_5m, write_1h, output = values
        return calculate_cost(model, uncached, output, cached_input_tokens=cached, cache_write_5m_tokens=write_5m,
                              cache_write_1h_tokens=write_1h)  # fmt: skip

    more = list(values)
    more[bucket] += extra
    assert cost(values) >= 0
    assert cost(tuple(more)) >= cost(values)


def test_model_price_is_frozen() -> None:
    row = get_price("gpt-4o")
    with pytest.raises(AttributeError):
        row.input = D("0")  # type: ignore[misc]
    assert isinstance(row, ModelPrice)


@pytest.mark.parametrize("model", [None, "", "   "])
def test_missing_model_named_clearly(model: object) -> None:
    with pytest.raises(UnknownModelError) as error:
        calculate_cost(model, 1, 1)  # type: ignore[arg-type]

    assert str(error.value).startswith("Missing model: expected a model id such as 'gpt-4o'")
    assert repr(model) in str(error.value)
