"""Embeddings in the sandbox: deterministic unit vectors with real token usage.

A vector is seeded by the model and the input, so the same text always gets the same vector,
but the vectors carry no meaning: similar texts are not close, so a semantic cache needs a
local embedding model instead. ``usage.prompt_tokens`` is the real token count of the inputs
(cl100k_base), so embedding costs are right.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
import struct
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from costkit.encodings import encoding_for_model
from costkit.sandbox.errors import invalid_request, missing_parameter
from costkit.sandbox.openai_chat import resolve_model

if TYPE_CHECKING:
    from costkit.sandbox.core import Sandbox

#: Native vector size of each OpenAI embedding model.
EMBEDDING_DIMENSIONS: dict[str, int] = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}

#: Models that accept ``dimensions`` (shortened vectors). ada-002 rejects it.
MODELS_WITH_DIMENSIONS = ("text-embedding-3-small", "text-embedding-3-large")

#: Maximum tokens per input, inputs per request and tokens per request that the API accepts.
MAX_INPUT_TOKENS = 8192
MAX_INPUTS = 2048
MAX_REQUEST_TOKENS = 300_000


def create_embeddings(sandbox: Sandbox, body: Any) -> dict[str, Any]:
    """Run a ``POST /v1/embeddings`` body and return the embedding ``list`` object.

    ``input`` may be a string, a list of strings, a list of token ids or a list of token-id lists.
    ``encoding_format="base64"`` (what the openai SDK asks for by default) returns each vector as
    base64 of little-endian float32 values. Raises :class:`SandboxAPIError` as the real API would.
    """
    if not isinstance(body, Mapping):
        raise invalid_request(f"The request body must be a JSON object, got {type(body).__name__}.")
    if "model" not in body:
        raise missing_parameter("model")
    if body.get("input") is None:
        raise missing_parameter("input")

    price = resolve_model(body["model"], endpoint="embeddings", mode="embedding")
    native = EMBEDDING_DIMENSIONS.get(price.model)
    if native is None:
        raise invalid_request(f"The sandbox has no vector size for embedding model {price.model!r}.", param="model")
    dimensions = _dimensions(body.get("dimensions"), price.model, native)
    encoding_format = body.get("encoding_format", "float")
    if encoding_format not in ("float", "base64"):
        raise invalid_request(
            f"Invalid value for 'encoding_format': {encoding_format!r}. Supported values are 'float' and 'base64'.",
            param="encoding_format",
            code="invalid_value",
        )

    encoding = encoding_for_model(price.model)
    inputs = _inputs(body["input"])
    token_counts = [len(item) if isinstance(item, list) else len(encoding.encode_ordinary(item)) for item in inputs]
    _check_sizes(token_counts)

    data = []
    for index, item in enumerate(inputs):
        key = item if isinstance(item, str) else ",".join(map(str, item))
        vector = embedding_vector(price.model, key, native, dimensions)
        value: Any = _to_base64(vector) if encoding_format == "base64" else vector
        data.append({"object": "embedding", "index": index, "embedding": value})

    total = sum(token_counts)
    return {"object": "list", "data": data, "model": body["model"], "usage": {"prompt_tokens": total, "total_tokens": total}}


def embedding_vector(model: str, text: str, native: int, dimensions: int | None = None) -> list[float]:
    """Return the sandbox's unit vector for ``text``: seeded Gaussian noise, cut to ``dimensions`` and renormalised.

    Cutting then renormalising is how OpenAI shortens text-embedding-3 vectors, so a shortened
    vector is the start of the full one, rescaled.
    """
    seed = int.from_bytes(hashlib.sha256(f"{model}\x00{text}".encode()).digest()[:8], "big")
    rng = random.Random(seed)
    vector = [rng.gauss(0.0, 1.0) for _ in range(native)][: dimensions or native]
    norm = math.sqrt(sum(value * value for value in vector)) or 1.0
    return [value / norm for value in vector]


def _dimensions(value: Any, model: str, native: int) -> int | None:
    if value is None:
        return None
    if model not in MODELS_WITH_DIMENSIONS:
        raise invalid_request(
            f"This model does not support specifying dimensions: {model!r}. Use text-embedding-3-small or -3-large.",
            param="dimensions",
            code="invalid_value",
        )
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= native:
        raise invalid_request(
            f"Invalid 'dimensions': {value!r}. Expected an integer between 1 and {native} for {model}.",
            param="dimensions",
            code="invalid_value",
        )
    return value


def _inputs(value: Any) -> list[str | list[int]]:
    """Normalise ``input`` to a list of strings and token-id lists."""
    if isinstance(value, str):
        items: list[Any] = [value]
    elif isinstance(value, list) and value and all(isinstance(token, int) and not isinstance(token, bool) for token in value):
        items = [value]
    elif isinstance(value, list):
        items = value
    else:
        items = [None]

    if not items:
        raise invalid_request("Invalid 'input': empty array. Send at least one string.", param="input", code="empty_array")
    if len(items) > MAX_INPUTS:
        raise invalid_request(
            f"Invalid 'input': {len(items)} inputs; at most {MAX_INPUTS} are allowed per request. Split the list.",
            param="input",
            code="invalid_value",
        )
    for index, item in enumerate(items):
        is_tokens = isinstance(item, list) and all(isinstance(token, int) and not isinstance(token, bool) for token in item)
        if not (isinstance(item, str) and item) and not (is_tokens and item):
            raise invalid_request(
                f"Invalid 'input[{index}]': {item!r}. Each input must be a non-empty string or a non-empty list of token ids.",
                param="input",
                code="invalid_value",
            )
    return items


def _check_sizes(token_counts: list[int]) -> None:
    for index, count in enumerate(token_counts):
        if count > MAX_INPUT_TOKENS:
            raise invalid_request(
                f"This model's maximum context length is {MAX_INPUT_TOKENS} tokens, however you requested "
                f"{count} tokens in input[{index}]. Please reduce your input or split it into chunks.",
                param="input",
                code="context_length_exceeded",
            )
    total = sum(token_counts)
    if total > MAX_REQUEST_TOKENS:
        raise invalid_request(
            f"Requested {total} tokens across all inputs; the maximum is {MAX_REQUEST_TOKENS} per request. "
            "Send the inputs in several requests.",
            param="input",
            code="max_tokens_per_request",
        )


def _to_base64(vector: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
