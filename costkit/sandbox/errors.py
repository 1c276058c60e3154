"""API errors that sandbox handlers raise, and the OpenAI error body they turn into.

A handler raises :class:`SandboxAPIError` wherever the real API would return an error status.
Each provider module catches it once and renders the provider's own error shape, so OpenAI
clients see ``{"error": {"message", "type", "param", "code"}}`` and the SDK raises the same
exception class (``openai.BadRequestError``, ``openai.NotFoundError``, ...) that a live call would.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

#: The error ``type`` that OpenAI sends with each HTTP status the sandbox uses.
OPENAI_ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    404: "invalid_request_error",
    409: "invalid_request_error",
    413: "invalid_request_error",
    429: "requests",
    500: "server_error",
    503: "server_error",
}


class SandboxAPIError(Exception):
    """An HTTP error response that a sandbox handler returns instead of a result.

    Args:
        status_code: The HTTP status, e.g. 400 or 404.
        message: A sentence naming the invalid value and what to send instead.
        type: The provider's error type; by default the one that goes with ``status_code``.
        param: The request parameter at fault, or None.
        code: The provider's machine-readable error code, e.g. "model_not_found", or None.
        headers: Extra response headers, e.g. ``retry-after`` on a 429.
    """

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        type: str | None = None,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.type = type or OPENAI_ERROR_TYPES.get(status_code, "invalid_request_error")
        self.param = param
        self.code = code
        self.headers = dict(headers or {})

    def openai_body(self) -> dict[str, Any]:
        """Return the error in OpenAI's wire shape."""
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def invalid_request(message: str, *, param: str | None = None, code: str | None = None) -> SandboxAPIError:
    """Build a 400 ``invalid_request_error`` for a request the real API would reject."""
    return SandboxAPIError(400, message, param=param, code=code)


def missing_parameter(param: str) -> SandboxAPIError:
    """Build the 400 error OpenAI sends when a required parameter is absent."""
    return SandboxAPIError(
        400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )


def openai_error_response(error: SandboxAPIError, *, request_id: str) -> httpx2.Response:
    """Render ``error`` as an OpenAI HTTP error response carrying ``x-request-id``."""
    headers = {"content-type": "application/json", "x-request-id": request_id, **error.headers}
    return httpx2.Response(error.status_code, headers=headers, content=json.dumps(error.openai_body()).encode())
