"""An offline, deterministic stand-in for the OpenAI and Anthropic APIs, used through the official SDKs.

>>> from costkit.sandbox import Sandbox
>>> sandbox = Sandbox()
>>> client = sandbox.openai_client()  # an openai.OpenAI that never leaves the process
"""

from __future__ import annotations

from costkit.sandbox.answers import SANDBOX_MARKER, placeholder_answer
from costkit.sandbox.clock import SandboxClock
from costkit.sandbox.core import (
    ANTHROPIC_BASE_URL,
    OPENAI_BASE_URL,
    Fault,
    Responder,
    ResponderRequest,
    Sandbox,
)

__all__ = [
    "ANTHROPIC_BASE_URL",
    "OPENAI_BASE_URL",
    "SANDBOX_MARKER",
    "Fault",
    "Responder",
    "ResponderRequest",
    "Sandbox",
    "SandboxClock",
    "placeholder_answer",
]
