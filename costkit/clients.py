"""One factory for API clients: live when a key is set, the offline sandbox otherwise.

>>> import costkit
>>> print(costkit.describe_mode())  # doctest: +SKIP
Mode: sandbox (offline, $0) — OPENAI_API_KEY and ANTHROPIC_API_KEY not set; prices as of 2026-08-21
>>> client = costkit.openai_client()  # doctest: +SKIP

A provider is live when its key variable (``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY``) is set to a
non-blank value and ``COSTKIT_OFFLINE`` is not set to a true value (1, true, yes or on). Live
clients are the SDKs' own ``openai.OpenAI`` and ``anthropic.Anthropic``, which read the key from
the environment themselves. This module only checks whether a key is present. It never reads a
key's value into a variable, and never prints, logs or stores one.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import anthropic
    import openai

    from costkit.sandbox import Sandbox

__all__ = [
    "OFFLINE_VARIABLE",
    "anthropic_client",
    "default_sandbox",
    "describe_mode",
    "is_live",
    "is_offline_forced",
    "openai_client",
    "reset_default_sandbox",
]

logger = logging.getLogger("costkit.clients")

Provider = Literal["openai", "anthropic"]

#: Set this variable to 1, true, yes or on to use the sandbox even when API keys are present.
OFFLINE_VARIABLE = "COSTKIT_OFFLINE"

#: The environment variable that contains each provider's API key, as the official SDKs read it.
KEY_VARIABLES: dict[str, str] = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}

_PROVIDER_NAMES: dict[str, str] = {"openai": "OpenAI", "anthropic": "Anthropic"}
_TRUE_VALUES = frozenset({"1", "true", "yes", "on"})
_FALSE_VALUES = frozenset({"", "0", "false", "no", "off"})

_default_sandbox: Sandbox | None = None
_default_lock = threading.Lock()


def openai_client(*, sandbox: Sandbox | None = None, **kwargs: Any) -> openai.OpenAI:
    """Return a live ``openai.OpenAI`` when OpenAI is live (see :func:`is_live`), else a sandbox client.

    ``sandbox`` chooses the sandbox that serves the offline client; by default the process-wide
    :func:`default_sandbox`. It has no effect in live mode. Keyword arguments go to the client
    (e.g. ``max_retries``, ``timeout``).
    """
    if is_live("openai"):
        import openai

        logger.info("using a live OpenAI client")
        return openai.OpenAI(**kwargs)

    logger.info("using a sandbox OpenAI client (%s)", _sandbox_reason("openai"))
    return (sandbox if sandbox is not None else default_sandbox()).openai_client(**kwargs)


def anthropic_client(*, sandbox: Sandbox | None = None, **kwargs: Any) -> anthropic.Anthropic:
    """Return a live ``anthropic.Anthropic`` when Anthropic is live (see :func:`is_live`), else a sandbox client.

    ``sandbox`` chooses the sandbox that serves the offline client; by default the process-wide
    :func:`default_sandbox`. It has no effect in live mode. Keyword arguments go to the client
    (e.g. ``max_retries``, ``timeout``).
    """
    if is_live("anthropic"):
        import anthropic

        logger.info("using a live Anthropic client")
        return anthropic.Anthropic(**kwargs)

    logger.info("using a sandbox Anthropic client (%s)", _sandbox_reason("anthropic"))
    return (sandbox if sandbox is not None else default_sandbox()).anthropic_client(**kwargs)


def is_live(provider: Provider) -> bool:
    """Return True when clients for ``provider`` ("openai" or "anthropic") call the real API.

    That is the case when its key variable is set to a non-blank value and ``COSTKIT_OFFLINE``
    does not force the sandbox.
    """
    return _has_key(provider) and not is_offline_forced()


def is_offline_forced() -> bool:
    """Return True when ``COSTKIT_OFFLINE`` forces the sandbox, whatever keys are present.

    1, true, yes and on (any case) force the sandbox, while unset, empty, 0, false, no and off do
    not. Any other value also forces the sandbox, with a warning, because an unclear setting
    should not spend money.
    """
    value = os.environ.get(OFFLINE_VARIABLE, "").strip().lower()
    if value in _TRUE_VALUES:
        return True
    if value in _FALSE_VALUES:
        return False
    logger.warning(
        "%s=%r is not a recognised value, so the sandbox is used; set it to 1 to stay offline or 0 to allow live calls",
        OFFLINE_VARIABLE,
        os.environ.get(OFFLINE_VARIABLE),
    )
    return True


def describe_mode(provider: Provider | None = None) -> str:
    """Return one line saying which API the clients use and why, plus the price table's as-of date.

    With ``provider`` the line covers that provider only, otherwise both. Notebooks print it in
    their first cell. The line names environment variables, never their values.

    >>> describe_mode("openai")  # doctest: +SKIP
    'Mode: sandbox (offline, $0) — OPENAI_API_KEY not set; prices as of 2026-08-21'
    """
    providers: tuple[Provider, ...] = (provider,) if provider is not None else ("openai", "anthropic")
    for name in providers:
        if name not in KEY_VARIABLES:
            raise ValueError(f"unknown provider {name!r}; use 'openai' or 'anthropic'")

    live = [name for name in providers if is_live(name)]
    offline = [name for name in providers if name not in live]
    if not live:
        mode = "Mode: sandbox (offline, $0)"
    elif not offline:
        mode = "Mode: live " + " and ".join(_PROVIDER_NAMES[name] for name in live)
    else:
        mode = f"Mode: live {_join(live)}, sandbox {_join(offline)} (offline, $0)"

    line = f"{mode} — {_reasons(providers)}"
    as_of = _prices_as_of()
    return f"{line}; prices as of {as_of}" if as_of else line


def default_sandbox() -> Sandbox:
    """Return the process-wide sandbox that offline clients use unless they are given another one."""
    global _default_sandbox
    with _default_lock:
        if _default_sandbox is None:
            from costkit.sandbox import Sandbox

            _default_sandbox = Sandbox()
        return _default_sandbox


def reset_default_sandbox() -> Sandbox:
    """Replace the process-wide sandbox with a fresh one (empty caches, clock at its start) and return it.

    Clients created earlier keep talking to the old sandbox.
    """
    global _default_sandbox
    from costkit.sandbox import Sandbox

    with _default_lock:
        _default_sandbox = Sandbox()
        return _default_sandbox


# Helpers -------------------------------------------------------------------------------------


def _has_key(provider: str) -> bool:
    variable = KEY_VARIABLES.get(provider)
    if variable is None:
        raise ValueError(f"unknown provider {provider!r}; use 'openai' or 'anthropic'")
    return bool(os.environ.get(variable, "").strip())


def _sandbox_reason(provider: str) -> str:
    if is_offline_forced():
        return f"{OFFLINE_VARIABLE} is set"
    return f"{KEY_VARIABLES[provider]} not set"


def _reasons(providers: tuple[Provider, ...]) -> str:
    if is_offline_forced():
        return f"{OFFLINE_VARIABLE} is set"

    present = [KEY_VARIABLES[name] for name in providers if _has_key(name)]
    missing = [KEY_VARIABLES[name] for name in providers if not _has_key(name)]
    parts: list[str] = []
    if present:
        parts.append(f"{OFFLINE_VARIABLE} unset and {' and '.join(present)} present")
    if missing:
        parts.append(f"{' and '.join(missing)} not set")
    return ", ".join(parts)


def _join(providers: list[Provider]) -> str:
    return " and ".join(_PROVIDER_NAMES[name] for name in providers)


def _prices_as_of() -> str:
    from costkit.pricing import PriceTable

    return PriceTable.default().as_of or ""
