"""The sandbox: one in-process stand-in for the OpenAI and Anthropic HTTP APIs.

The official SDK clients talk to it through an ``httpx2.MockTransport``, so no request ever
leaves the process. The base URLs use the reserved ``.invalid`` top-level domain, which never
resolves: a client that loses its transport fails instead of reaching a real API.

Each provider's routes live in their own module (``openai_api``, ``anthropic_api``) and keep
their state on the ``Sandbox`` through :meth:`Sandbox.provider_state`.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from costkit.sandbox.clock import SandboxClock

if TYPE_CHECKING:
    import anthropic
    import httpx2
    import openai

logger = logging.getLogger("costkit.sandbox")

OPENAI_BASE_URL = "https://api.openai.sandbox.invalid/v1"
ANTHROPIC_BASE_URL = "https://api.anthropic.sandbox.invalid"
OPENAI_HOST = "api.openai.sandbox.invalid"
ANTHROPIC_HOST = "api.anthropic.sandbox.invalid"

#: The API key that sandbox clients send. It is not a secret and is never checked.
SANDBOX_API_KEY = "sandbox-no-key-needed"

Provider = Literal["openai", "anthropic"]
FaultKind = Literal["rate_limit", "server_error", "overloaded", "timeout"]
FAULT_KINDS: tuple[str, ...] = ("rate_limit", "server_error", "overloaded", "timeout")

StateT = TypeVar("StateT")


@dataclass(frozen=True)
class ResponderRequest:
    """The part of one request that a responder receives: enough to write an answer, nothing provider-specific.

    ``messages`` are ``{"role": ..., "content": str}`` dicts with list content flattened to text.
    """

    provider: Provider
    model: str
    messages: tuple[dict[str, str], ...]
    system: str = ""

    @property
    def last_user_text(self) -> str:
        """Return the text of the last user message, or "" when there is none."""
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return message.get("content", "")
        return ""


#: A function that writes the answer text for one request, in place of the placeholder answer.
Responder = Callable[[ResponderRequest], str]


@dataclass
class Fault:
    """A failure queued for the next matching requests (see :meth:`Sandbox.inject_fault`)."""

    kind: FaultKind
    provider: Provider | None = None
    path: str | None = None
    remaining: int = 1
    retry_after: float = 1.0

    def matches(self, provider: Provider, path: str) -> bool:
        """Return True when this fault applies to a request for ``provider`` at URL ``path``."""
        if self.provider is not None and self.provider != provider:
            return False
        return self.path is None or path.endswith(self.path)


@dataclass
class _Counters:
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    requests: dict[str, int] = field(default_factory=dict)


class Sandbox:
    """A deterministic, billing-faithful, offline OpenAI and Anthropic API.

    >>> sandbox = Sandbox()
    >>> client = sandbox.openai_client()
    >>> reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
    >>> reply.usage.prompt_tokens > 0
    True

    Args:
        clock: The simulated clock used for timestamps, cache TTLs and batch progress.
            A new :class:`SandboxClock` starting at a fixed instant by default.
    """

    def __init__(self, *, clock: SandboxClock | None = None) -> None:
        self.clock = clock if clock is not None else SandboxClock()
        self._lock = threading.RLock()
        self._responders: dict[str, Responder] = {}
        self._faults: list[Fault] = []
        self._states: dict[str, Any] = {}
        self._counters = _Counters()

    # Responders ---------------------------------------------------------------------------

    def add_responder(self, model: str, responder: Responder) -> None:
        """Answer every request for ``model`` with ``responder(request)`` instead of placeholder text.

        Usage is still computed from the real token counts of the prompt and of the returned text,
        so costs stay faithful. Use ``model="*"`` for every model without its own responder.
        Raises ``UnknownModelError`` for a model the price table lacks, because the sandbox
        rejects requests for such a model and the responder would never run.
        """
        if not callable(responder):
            raise TypeError(f"responder for {model!r} must be callable, got {type(responder).__name__}")
        if model != "*":
            from costkit.pricing import get_price

            get_price(model)
        with self._lock:
            self._responders[model] = responder

    def remove_responder(self, model: str) -> None:
        """Go back to placeholder answers for ``model``. Missing responders are ignored."""
        with self._lock:
            self._responders.pop(model, None)

    def responder_for(self, model: str) -> Responder | None:
        """Return the responder registered for ``model`` (or for "*"), or None."""
        with self._lock:
            return self._responders.get(model) or self._responders.get("*")

    # Faults -------------------------------------------------------------------------------

    def inject_fault(
        self,
        kind: FaultKind,
        *,
        provider: Provider | None = None,
        path: str | None = None,
        count: int = 1,
        retry_after: float = 1.0,
    ) -> None:
        """Fail the next ``count`` matching requests.

        ``kind`` is "rate_limit" (HTTP 429 with a ``retry-after`` header), "server_error" (500),
        "overloaded" (529 on Anthropic, 503 on OpenAI) or "timeout" (the transport raises a read
        timeout). ``path`` limits the fault to URLs ending with it, e.g. "/chat/completions".
        Each SDK then raises its own exception classes and applies its own retries, and every
        retry consumes one injected failure.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(FAULT_KINDS)}")
        if provider not in (None, "openai", "anthropic"):
            raise ValueError(f"unknown provider {provider!r}; use 'openai', 'anthropic' or None for both")
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        if retry_after < 0:
            raise ValueError(f"retry_after must be >= 0 seconds, got {retry_after}")
        with self._lock:
            self._faults.append(Fault(kind, provider, path, count, retry_after))

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._faults.clear()

    def take_fault(self, provider: Provider, path: str) -> Fault | None:
        """Consume and return the first queued fault that matches this request, or None."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(provider, path):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # State shared with the provider modules ------------------------------------------------

    def provider_state(self, name: str, factory: Callable[[], StateT]) -> StateT:
        """Return the state object stored under ``name``, creating it with ``factory`` on first use."""
        with self._lock:
            if name not in self._states:
                self._states[name] = factory()
            return self._states[name]  # type: ignore[no-any-return]

    def next_id(self, prefix: str) -> str:
        """Return a new id such as ``chatcmpl-sbx000001``: unique in this sandbox and repeatable run to run."""
        with self._lock:
            return f"{prefix}-sbx{next(self._counters.ids):06d}"

    def count_request(self, provider: Provider, path: str) -> None:
        """Record one request (faulted or not) for :attr:`request_counts`."""
        key = f"{provider} {path}"
        with self._lock:
            self._counters.requests[key] = self._counters.requests.get(key, 0) + 1

    @property
    def request_counts(self) -> dict[str, int]:
        """Requests received so far, keyed by "provider path", retries included."""
        with self._lock:
            return dict(self._counters.requests)

    # HTTP ---------------------------------------------------------------------------------

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        """Route one HTTP request to the provider module that serves its host."""
        host = request.url.host
        if host == OPENAI_HOST:
            from costkit.sandbox import openai_api

            return openai_api.handle(self, request)
        if host == ANTHROPIC_HOST:
            from costkit.sandbox import anthropic_api

            return anthropic_api.handle(self, request)
        raise ValueError(
            f"the sandbox serves only {OPENAI_HOST} and {ANTHROPIC_HOST}, not {host!r}; "
            "create clients with Sandbox.openai_client() or Sandbox.anthropic_client()"
        )

    def transport(self) -> httpx2.MockTransport:
        """Return an in-process transport that serves every request from this sandbox."""
        import httpx2

        return httpx2.MockTransport(self.handle)

    def http_client(self) -> httpx2.Client:
        """Return an ``httpx2.Client`` wired to this sandbox, for the SDKs' ``http_client=``."""
        import httpx2

        return httpx2.Client(transport=self.transport())

    def openai_client(self, **kwargs: Any) -> openai.OpenAI:
        """Return an official ``openai.OpenAI`` client that talks to this sandbox.

        Keyword arguments go to ``openai.OpenAI`` (e.g. ``max_retries``, ``timeout``).
        """
        import openai

        kwargs.setdefault("api_key", SANDBOX_API_KEY)
        kwargs.setdefault("base_url", OPENAI_BASE_URL)
        kwargs.setdefault("http_client", self.http_client())
        return openai.OpenAI(**kwargs)

    def anthropic_client(self, **kwargs: Any) -> anthropic.Anthropic:
        """Return an official ``anthropic.Anthropic`` client that talks to this sandbox.

        Keyword arguments go to ``anthropic.Anthropic`` (e.g. ``max_retries``, ``timeout``).
        """
        import anthropic

        kwargs.setdefault("api_key", SANDBOX_API_KEY)
        kwargs.setdefault("base_url", ANTHROPIC_BASE_URL)
        kwargs.setdefault("http_client", self.http_client())
        return anthropic.Anthropic(**kwargs)
