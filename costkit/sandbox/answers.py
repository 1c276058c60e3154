"""Placeholder answers: deterministic text of realistic, model-dependent length.

The sandbox cannot think, so it writes filler that says plainly what it is. What matters for
cost lessons is its length, which follows the model: small models answer briefly, flagship and
reasoning models at greater length. The same model and prompt always give the same text.
"""

from __future__ import annotations

import hashlib
import random

#: Every placeholder answer starts with this marker, so it is never mistaken for a model's output.
SANDBOX_MARKER = "[costkit sandbox]"

#: Typical answer length in words, by model family; the first prefix that matches wins.
_ANSWER_WORDS: tuple[tuple[str, int], ...] = (
    ("gpt-4.1-nano", 60),
    ("gpt-5-nano", 70),
    ("gpt-4o-mini", 110),
    ("gpt-4.1-mini", 110),
    ("gpt-5-mini", 140),
    ("claude-3-5-haiku", 100),
    ("claude-haiku", 120),
    ("gemini-2.0-flash", 100),
    ("gemini-2.5-flash", 140),
    ("o4-mini", 160),
    ("o3", 200),
    ("gpt-5", 220),
    ("gpt-4.1", 170),
    ("gpt-4o", 160),
    ("claude-sonnet", 190),
    ("claude-opus", 230),
    ("gemini-2.5-pro", 220),
)
_DEFAULT_WORDS = 150

_WORDS = (
    "the request cost tokens model prompt answer cache budget input output context price "
    "latency batch route query user system document retrieval embedding estimate measure "
    "result team service daily monthly share saving quality threshold minute hour call"
).split()


def answer_words(model: str) -> int:
    """Return the typical placeholder answer length for ``model``, in words."""
    for prefix, words in _ANSWER_WORDS:
        if model.startswith(prefix):
            return words
    return _DEFAULT_WORDS


def placeholder_answer(model: str, prompt: str) -> str:
    """Return deterministic filler text for ``prompt`` sent to ``model``, starting with the marker.

    The length varies by up to ±30 % around the model's typical length, seeded by the model
    and the prompt, so different prompts give different but repeatable lengths.
    """
    digest = hashlib.sha256(f"{model}\x00{prompt}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    typical = answer_words(model)
    word_count = max(5, round(typical * rng.uniform(0.7, 1.3)))

    sentences: list[str] = []
    written = 0
    while written < word_count:
        length = min(rng.randint(8, 16), word_count - written)
        words = [rng.choice(_WORDS) for _ in range(length)]
        sentences.append(" ".join(words).capitalize() + ".")
        written += length
    return f"{SANDBOX_MARKER} Placeholder answer from {model}, not model output. " + " ".join(sentences)
