"""OpenAI's automatic prompt caching, simulated on the sandbox clock.

The rules follow OpenAI's prompt caching guide (as stored in 2026-08):

- Only prompts of at least 1024 tokens are cached. Shorter prompts are neither read nor written.
- A prompt is cached in prefixes of 1024, 1152, 1280, ... tokens (1024 plus a multiple of 128).
  The ``cached_tokens`` of a request is the longest such prefix that an earlier request to the
  same model already sent and that is still alive.
- A cached prefix stays alive for a period of inactivity that OpenAI gives as "5 to 10 minutes".
  The sandbox uses 10 minutes (:data:`DEFAULT_TTL_SECONDS`), and every request that sends a prefix
  again, hit or miss, restarts its 10 minutes. ``prompt_cache_retention="24h"`` keeps a prefix
  for 24 hours instead.
- ``prompt_cache_key`` separates caches: a prefix written under one key is not read under another.

Prefixes are compared on the tokens of a rendering of the prompt (tools, the response format's
schema, then each message's role and content), so a change anywhere in a message ends the match
there. ``cached_tokens`` never exceeds the billed ``prompt_tokens``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from array import array
from collections.abc import Mapping, Sequence
from typing import Any

#: Shortest prompt, in tokens, that OpenAI caches.
MIN_CACHEABLE_TOKENS = 1024

#: Cached prefixes grow in steps of this many tokens past the minimum.
CACHE_INCREMENT_TOKENS = 128

#: Seconds of inactivity after which a cached prefix is gone (OpenAI gives 5 to 10 minutes).
DEFAULT_TTL_SECONDS = 600.0

#: Seconds a prefix lives when the request sets ``prompt_cache_retention="24h"``.
EXTENDED_TTL_SECONDS = 24 * 3600.0

#: Expired entries are swept once the store grows past this many prefixes.
_SWEEP_THRESHOLD = 50_000


class PromptCache:
    """Cached prompt prefixes per model, with expiry times on the sandbox clock.

    >>> cache = PromptCache()
    >>> prompt = list(range(2000))
    >>> cache.lookup_and_store("gpt-4o", prompt, prompt_tokens=2000, now=0.0)
    0
    >>> cache.lookup_and_store("gpt-4o", prompt, prompt_tokens=2000, now=60.0)
    1920
    """

    def __init__(self, *, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> None:
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be > 0, got {ttl_seconds}")
        self.ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        self._expiry: dict[tuple[str, str, bytes], float] = {}

    def lookup_and_store(
        self,
        model: str,
        prompt: Sequence[int],
        *,
        prompt_tokens: int,
        now: float,
        cache_key: str | None = None,
        retention: str | None = None,
    ) -> int:
        """Return the number of cached tokens for ``prompt``, then cache its prefixes.

        ``prompt`` is the rendered prompt's token ids (see :func:`render_prompt`) and
        ``prompt_tokens`` the billed prompt size; the result is at most ``prompt_tokens``.
        """
        cacheable = min(len(prompt), prompt_tokens)
        if prompt_tokens < MIN_CACHEABLE_TOKENS or cacheable < MIN_CACHEABLE_TOKENS:
            return 0

        ttl = EXTENDED_TTL_SECONDS if retention == "24h" else self.ttl_seconds
        prefixes = _prefix_digests(prompt, cacheable)
        namespace = cache_key or ""

        with self._lock:
            cached = 0
            for length, digest in prefixes:
                expires_at = self._expiry.get((model, namespace, digest))
                if expires_at is not None and expires_at > now:
                    cached = length

            for _length, digest in prefixes:
                key = (model, namespace, digest)
                self._expiry[key] = max(self._expiry.get(key, 0.0), now + ttl)

            if len(self._expiry) > _SWEEP_THRESHOLD:
                self._sweep(now)
        return cached

    def clear(self) -> None:
        """Forget every cached prefix."""
        with self._lock:
            self._expiry.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._expiry)

    def _sweep(self, now: float) -> None:
        expired = [key for key, expires_at in self._expiry.items() if expires_at <= now]
        for key in expired:
            del self._expiry[key]


def cacheable_length(tokens: int) -> int:
    """Round a shared prefix length down to what OpenAI caches: 0, or 1024 + k·128 tokens."""
    if tokens < MIN_CACHEABLE_TOKENS:
        return 0
    return MIN_CACHEABLE_TOKENS + (tokens - MIN_CACHEABLE_TOKENS) // CACHE_INCREMENT_TOKENS * CACHE_INCREMENT_TOKENS


def render_prompt(
    messages: Sequence[Mapping[str, Any]],
    *,
    tools: Sequence[Any] | None = None,
    schema: Mapping[str, Any] | None = None,
) -> str:
    """Render the parts of a request that form its cacheable prefix, in the order they are cached.

    Tools and the structured-output schema come first, then each message as its role followed by
    its content. Non-string content (content parts, tool calls) is rendered as canonical JSON.
    """
    parts: list[str] = []
    if tools:
        parts.append("<tools>" + json.dumps(list(tools), sort_keys=True, ensure_ascii=False))
    if schema:
        parts.append("<schema>" + json.dumps(schema, sort_keys=True, ensure_ascii=False))

    for message in messages:
        body = {key: value for key, value in message.items() if key not in ("role", "content")}
        content = message.get("content")
        text = content if isinstance(content, str) else json.dumps(content, sort_keys=True, ensure_ascii=False)
        extra = json.dumps(body, sort_keys=True, ensure_ascii=False) if body else ""
        parts.append(f"<{message.get('role', '')}>{extra}\n{text}")
    return "\n".join(parts)


def _prefix_digests(prompt: Sequence[int], cacheable: int) -> list[tuple[int, bytes]]:
    """Hash every cacheable prefix of ``prompt`` (1024, 1152, ... tokens) in one pass."""
    lengths = range(MIN_CACHEABLE_TOKENS, cacheable + 1, CACHE_INCREMENT_TOKENS)
    hasher = hashlib.sha256()
    digests: list[tuple[int, bytes]] = []
    start = 0
    for length in lengths:
        hasher.update(array("Q", prompt[start:length]).tobytes())
        digests.append((length, hasher.copy().digest()))
        start = length
    return digests
