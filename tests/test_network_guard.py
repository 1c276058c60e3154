"""The autouse network guard must itself reject non-loopback traffic."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import NetworkBlockedError


def test_guard_rejects_public_address() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(NetworkBlockedError):
            sock.connect(("192.0.2.1", 443))  # TEST-NET-1, never routed


def test_guard_rejects_name_lookup() -> None:
    with pytest.raises(NetworkBlockedError):
        socket.getaddrinfo("example.invalid", 443)


def test_guard_allows_loopback() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            client.connect(server.getsockname())
