"""Offline tiktoken encodings and the model-to-encoding map.

tiktoken downloads its BPE files on first use, which fails without internet. costkit ships
``o200k_base`` and ``cl100k_base`` gzipped in ``costkit/_encodings/`` and hands them to tiktoken
through its file cache. Each file is written under tiktoken's cache name (the sha1 of the
download URL) in a private temporary directory, and ``TIKTOKEN_CACHE_DIR`` points there only
while tiktoken loads it. tiktoken checks the file's sha256 itself. The result is tiktoken's own
``Encoding`` with its own regex and special tokens, loaded without network access.

>>> from costkit.encodings import encoding_name_for_model, get_encoding
>>> encoding_name_for_model("gpt-4o-2024-08-06")
'o200k_base'
>>> get_encoding("cl100k_base").encode("hello world")
[15339, 1917]
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import gzip
import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import tiktoken
import tiktoken.registry

from costkit.errors import UnknownModelError

__all__ = [
    "BUNDLED_ENCODINGS",
    "BundledEncoding",
    "encoding_for_model",
    "encoding_name_for_model",
    "get_encoding",
    "is_estimate",
    "match_model_family",
]


@dataclass(frozen=True)
class BundledEncoding:
    """An encoding file shipped with costkit, with the download URL and sha256 that tiktoken uses for it."""

    name: str
    url: str
    sha256: str

    @property
    def package_file(self) -> str:
        """File name of the gzipped copy inside ``costkit/_encodings``."""
        return f"{self.name}.tiktoken.gz"


# URLs and hashes as written in tiktoken_ext/openai_public.py (unchanged from tiktoken 0.7 to 0.14).
# tests/test_encodings.py and scripts/build_encodings.py check them against the installed tiktoken.
BUNDLED_ENCODINGS: dict[str, BundledEncoding] = {
    "o200k_base": BundledEncoding(
        name="o200k_base",
        url="https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        sha256="446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
    "cl100k_base": BundledEncoding(
        name="cl100k_base",
        url="https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        sha256="223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
}


@dataclass(frozen=True)
class _ModelFamily:
    prefix: str
    encoding: str
    is_estimate: bool = False


# A model id belongs to a family when it equals the prefix or continues it after "-" (dated
# snapshots such as gpt-4o-2024-08-06, variants such as gpt-4.1-mini). The longest prefix wins,
# so "gpt-4o" beats "gpt-4".
_MODEL_FAMILIES: tuple[_ModelFamily, ...] = (
    _ModelFamily("gpt-4o", "o200k_base"),
    _ModelFamily("chatgpt-4o", "o200k_base"),
    _ModelFamily("gpt-4.1", "o200k_base"),
    _ModelFamily("gpt-4.5", "o200k_base"),
    _ModelFamily("gpt-5", "o200k_base"),
    _ModelFamily("gpt-5.1", "o200k_base"),
    _ModelFamily("gpt-5.2", "o200k_base"),
    _ModelFamily("gpt-5.3", "o200k_base"),
    _ModelFamily("gpt-5.4", "o200k_base"),
    _ModelFamily("gpt-5.5", "o200k_base"),
    _ModelFamily("o1", "o200k_base"),
    _ModelFamily("o3", "o200k_base"),
    _ModelFamily("o4", "o200k_base"),
    _ModelFamily("computer-use-preview", "o200k_base"),
    _ModelFamily("gpt-4", "cl100k_base"),
    _ModelFamily("gpt-3.5-turbo", "cl100k_base"),
    _ModelFamily("gpt-35-turbo", "cl100k_base"),  # Azure deployment name
    _ModelFamily("text-embedding-3-small", "cl100k_base"),
    _ModelFamily("text-embedding-3-large", "cl100k_base"),
    _ModelFamily("text-embedding-ada-002", "cl100k_base"),
    # NOTE: Claude and Gemini tokenizers are not public, so their counts use o200k_base as an
    # estimate. Use the provider's count_tokens endpoint or response.usage for exact figures.
    _ModelFamily("claude", "o200k_base", is_estimate=True),
    _ModelFamily("gemini", "o200k_base", is_estimate=True),
)

_FAMILIES_BY_PREFIX = {family.prefix: family for family in _MODEL_FAMILIES}

# Model ids offered as close matches when a model is unknown.
_KNOWN_MODEL_IDS: tuple[str, ...] = (
    "gpt-4o", "gpt-4o-mini", "chatgpt-4o-latest", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano",
    "gpt-4.5-preview", "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5.1", "gpt-5.2", "o1", "o1-mini",
    "o1-pro", "o3", "o3-mini", "o3-pro", "o4-mini", "gpt-4", "gpt-4-turbo", "gpt-3.5-turbo",
    "text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002",
    "claude-opus-4-6", "claude-sonnet-4-6", "claude-opus-4-5", "claude-sonnet-4-5",
    "claude-haiku-4-5", "claude-3-5-haiku", "gemini-2.5-pro", "gemini-2.5-flash",
    "gemini-2.0-flash", "gemini-2.0-flash-lite",
)  # fmt: skip

# Fine-tuned ids look like "ft:gpt-4o-mini-2024-07-18:my-org:custom-suffix:abc123".
_FINE_TUNED_PATTERN = re.compile(r"ft:(?P<base>[^:]+)(?::.*)?")

# Serialises the window in which TIKTOKEN_CACHE_DIR points at costkit's temporary directory.
# tiktoken's registry lock is taken too when it exists, so no other tiktoken load in this
# process reads the variable meanwhile.
_load_lock = threading.Lock()


def get_encoding(name: str) -> tiktoken.Encoding:
    """Return the bundled tiktoken encoding ``name`` ("o200k_base" or "cl100k_base"), without network.

    The first call per process decompresses the bundled file and builds the encoding (about a
    second for o200k_base); later calls return the same cached object. Safe to call from several
    threads. Raises ``ValueError`` for an encoding that costkit does not bundle, because loading it
    through tiktoken would need a download.
    """
    if not isinstance(name, str):
        raise TypeError(f"encoding name must be a str such as 'o200k_base', got {type(name).__name__}: {name!r}")
    if name not in BUNDLED_ENCODINGS:
        raise ValueError(
            f"Unknown or unbundled encoding {name!r}. costkit bundles {sorted(BUNDLED_ENCODINGS)} for offline use; "
            f"for another encoding call tiktoken.get_encoding({name!r}) directly, which downloads it on first use."
        )
    return _load_bundled_encoding(name)


def encoding_name_for_model(model: str, *, encoding: str | None = None) -> str:
    """Return the name of the encoding that ``model`` tokenizes with.

    The gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1, o3 and o4 families, with dated snapshots and
    fine-tunes, map to o200k_base. gpt-4, gpt-4-turbo, gpt-3.5-turbo and the text-embedding-3 and
    ada-002 models map to cl100k_base. claude-* and gemini-* map to o200k_base as an estimate
    (see ``is_estimate``).
    ``encoding`` overrides the lookup for models costkit does not know. Raises ``UnknownModelError``
    naming close matches when the model is unknown and no override is given.
    """
    if encoding is not None:
        if encoding not in BUNDLED_ENCODINGS:
            get_encoding(encoding)  # raises the unbundled-encoding error with its fix
        return encoding
    return _family_for(model).encoding


def encoding_for_model(model: str, *, encoding: str | None = None) -> tiktoken.Encoding:
    """Return the bundled encoding for ``model``; ``encoding`` overrides the lookup (see ``encoding_name_for_model``)."""
    return get_encoding(encoding_name_for_model(model, encoding=encoding))


def is_estimate(model: str) -> bool:
    """Return True when counts for ``model`` are estimates because its tokenizer is not public (Claude, Gemini).

    Raises ``UnknownModelError`` for a model that ``encoding_name_for_model`` does not know.
    """
    return _family_for(model).is_estimate


def match_model_family(model: str, prefixes: Iterable[str]) -> str | None:
    """Return the longest of ``prefixes`` that names ``model``'s family, or None.

    A prefix matches when the model id equals it or continues it after "-", so "gpt-4o" matches
    "gpt-4o-2024-08-06" but not "gpt-4o1". Fine-tuned ids ("ft:gpt-4o-mini-2024-07-18:org::id")
    match through their base model.
    """
    base_model = _base_model_id(model)
    best: str | None = None
    for prefix in prefixes:
        if base_model == prefix or base_model.startswith(prefix + "-"):
            if best is None or len(prefix) > len(best):
                best = prefix
    return best


def _family_for(model: str) -> _ModelFamily:
    if not isinstance(model, str):
        raise TypeError(f"model must be a str such as 'gpt-4o', got {type(model).__name__}: {model!r}")

    prefix = match_model_family(model, _FAMILIES_BY_PREFIX)
    if prefix is None:
        raise _unknown_model_error(model)
    return _FAMILIES_BY_PREFIX[prefix]


def _base_model_id(model: str) -> str:
    fine_tuned = _FINE_TUNED_PATTERN.fullmatch(model)
    return fine_tuned["base"] if fine_tuned else model


def _unknown_model_error(model: str) -> UnknownModelError:
    suggestions = difflib.get_close_matches(model, _KNOWN_MODEL_IDS, n=3, cutoff=0.6)
    fix = (
        "costkit does not know its tokenizer. Pass encoding='o200k_base' (gpt-4o and newer) "
        "or encoding='cl100k_base' (gpt-4, gpt-3.5-turbo) to count with an explicit encoding."
    )
    error = UnknownModelError(model, suggestions, fix=fix)
    return error


@functools.cache
def _load_bundled_encoding(name: str) -> tiktoken.Encoding:
    bundled = BUNDLED_ENCODINGS[name]
    content = _read_bundled_file(bundled)

    registry_lock = getattr(tiktoken.registry, "_lock", None)
    with _load_lock, (registry_lock if registry_lock is not None else contextlib.nullcontext()):
        with tempfile.TemporaryDirectory(prefix="costkit-tiktoken-") as cache_dir:
            # tiktoken looks for a cached download under the sha1 of its URL.
            cache_name = hashlib.sha1(bundled.url.encode()).hexdigest()
            Path(cache_dir, cache_name).write_bytes(content)

            previous = os.environ.get("TIKTOKEN_CACHE_DIR")
            os.environ["TIKTOKEN_CACHE_DIR"] = cache_dir
            try:
                return tiktoken.get_encoding(name)
            finally:
                if previous is None:
                    del os.environ["TIKTOKEN_CACHE_DIR"]
                else:
                    os.environ["TIKTOKEN_CACHE_DIR"] = previous


def _read_bundled_file(bundled: BundledEncoding) -> bytes:
    package_file = resources.files("costkit").joinpath("_encodings", bundled.package_file)
    try:
        content = gzip.decompress(package_file.read_bytes())
    except (OSError, EOFError) as error:
        raise RuntimeError(
            f"Cannot read the bundled encoding file {bundled.package_file}: {error}. Reinstall costkit, "
            f"or rebuild the file with scripts/build_encodings.py."
        ) from error

    actual_sha256 = hashlib.sha256(content).hexdigest()
    if actual_sha256 != bundled.sha256:
        raise RuntimeError(
            f"The bundled encoding file {bundled.package_file} has sha256 {actual_sha256}, but tiktoken expects "
            f"{bundled.sha256}. Reinstall costkit, or rebuild the file with scripts/build_encodings.py."
        )
    return content
