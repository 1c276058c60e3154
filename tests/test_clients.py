"""The live/sandbox client factory. No test here sends a request to a live client."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import anthropic
import openai
import pytest

import costkit
from costkit import clients
from costkit.pricing import PriceTable
from costkit.sandbox import ANTHROPIC_BASE_URL, OPENAI_BASE_URL, Sandbox

FAKE_OPENAI_KEY = "sk-costkit-fake-openai-7f3a9c"
FAKE_ANTHROPIC_KEY = "sk-ant-costkit-fake-51d0e2"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Start each test with no keys, no offline switch and no base URL overrides."""
    for variable in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "COSTKIT_OFFLINE", "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    clients.reset_default_sandbox()
    yield
    clients.reset_default_sandbox()


def set_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_OPENAI_KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_ANTHROPIC_KEY)


def test_no_keys_gives_sandbox_clients() -> None:
    openai_client = clients.openai_client()
    anthropic_client = clients.anthropic_client()

    assert isinstance(openai_client, openai.OpenAI)
    assert isinstance(anthropic_client, anthropic.Anthropic)
    assert str(openai_client.base_url).rstrip("/") == OPENAI_BASE_URL
    assert str(anthropic_client.base_url).rstrip("/") == ANTHROPIC_BASE_URL
    assert not clients.is_live("openai")
    assert not clients.is_live("anthropic")


def test_keys_give_live_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    set_keys(monkeypatch)

    openai_client = clients.openai_client()
    anthropic_client = clients.anthropic_client()

    assert isinstance(openai_client, openai.OpenAI)
    assert isinstance(anthropic_client, anthropic.Anthropic)
    assert openai_client.base_url.host == "api.openai.com"
    assert anthropic_client.base_url.host == "api.anthropic.com"
    assert clients.is_live("openai")
    assert clients.is_live("anthropic")


def test_live_client_takes_kwargs(monkeypatch: pytest.MonkeyPatch) -> None:
    set_keys(monkeypatch)

    assert clients.anthropic_client(max_retries=7).max_retries == 7


def test_one_key_is_live_for_its_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_OPENAI_KEY)

    assert clients.is_live("openai")
    assert not clients.is_live("anthropic")
    assert clients.anthropic_client().base_url.host == "api.anthropic.sandbox.invalid"


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", " 1 "])
def test_offline_switch_forces_sandbox(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    set_keys(monkeypatch)
    monkeypatch.setenv("COSTKIT_OFFLINE", value)

    assert not clients.is_live("openai")
    assert not clients.is_live("anthropic")
    assert clients.openai_client().base_url.host == "api.openai.sandbox.invalid"
    assert clients.anthropic_client().base_url.host == "api.anthropic.sandbox.invalid"


@pytest.mark.parametrize("value", ["", "0", "false", "No", "off"])
def test_false_offline_values_allow_live(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    set_keys(monkeypatch)
    monkeypatch.setenv("COSTKIT_OFFLINE", value)

    assert clients.is_live("openai")


def test_unclear_offline_value_stays_offline(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    set_keys(monkeypatch)
    monkeypatch.setenv("COSTKIT_OFFLINE", "maybe")

    with caplog.at_level(logging.WARNING, logger="costkit.clients"):
        live = clients.is_live("openai")

    assert not live
    assert "COSTKIT_OFFLINE='maybe'" in caplog.text


def test_blank_key_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "   ")

    assert not clients.is_live("openai")


def test_unknown_provider_rejected() -> None:
    with pytest.raises(ValueError, match="'gemini'"):
        clients.is_live("gemini")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'gemini'"):
        clients.describe_mode("gemini")  # type: ignore[arg-type]


def test_describe_mode_sandbox() -> None:
    line = clients.describe_mode()

    assert line.startswith("Mode: sandbox (offline, $0)")
    assert "OPENAI_API_KEY and ANTHROPIC_API_KEY not set" in line
    assert "\n" not in line


def test_describe_mode_live(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_OPENAI_KEY)

    assert clients.describe_mode("openai").startswith("Mode: live OpenAI — COSTKIT_OFFLINE unset and OPENAI_API_KEY present")
    assert clients.describe_mode().startswith("Mode: live OpenAI, sandbox Anthropic (offline, $0)")
    assert "ANTHROPIC_API_KEY not set" in clients.describe_mode()


def test_describe_mode_offline_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    set_keys(monkeypatch)
    monkeypatch.setenv("COSTKIT_OFFLINE", "1")

    assert clients.describe_mode().startswith("Mode: sandbox (offline, $0) — COSTKIT_OFFLINE is set")


def test_describe_mode_has_price_date() -> None:
    as_of = PriceTable.default().as_of

    assert as_of
    assert clients.describe_mode().endswith(f"prices as of {as_of}")


def test_keys_never_printed_or_logged(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    set_keys(monkeypatch)

    with caplog.at_level(logging.DEBUG, logger="costkit"):
        lines = [clients.describe_mode(), clients.describe_mode("openai"), clients.describe_mode("anthropic")]
        clients.openai_client()
        clients.anthropic_client()
        monkeypatch.setenv("COSTKIT_OFFLINE", "maybe")
        lines.append(clients.describe_mode())
        clients.openai_client()
        clients.anthropic_client()
        print(*lines)

    captured = capsys.readouterr()
    for key in (FAKE_OPENAI_KEY, FAKE_ANTHROPIC_KEY):
        assert key not in " ".join(lines)
        assert key not in caplog.text
        assert key not in captured.out
        assert key not in captured.err
    assert caplog.records  # the factory did log, so the checks above looked at real output


def test_keys_not_stored_in_module(monkeypatch: pytest.MonkeyPatch) -> None:
    set_keys(monkeypatch)
    clients.openai_client()
    clients.anthropic_client()

    stored = " ".join(repr(value) for value in vars(clients).values())
    assert FAKE_OPENAI_KEY not in stored
    assert FAKE_ANTHROPIC_KEY not in stored


def test_default_sandbox_shared() -> None:
    first = clients.anthropic_client()
    second = clients.anthropic_client()
    for client in (first, second):
        client.messages.create(model="claude-haiku-4-5", max_tokens=8, messages=[{"role": "user", "content": "Hi"}])

    assert clients.default_sandbox() is clients.default_sandbox()
    assert clients.default_sandbox().request_counts["anthropic /v1/messages"] == 2


def test_reset_default_sandbox_replaces_it() -> None:
    before = clients.default_sandbox()
    after = clients.reset_default_sandbox()

    assert after is not before
    assert clients.default_sandbox() is after


def test_given_sandbox_serves_client() -> None:
    own = Sandbox()
    client = clients.anthropic_client(sandbox=own)
    client.messages.create(model="claude-haiku-4-5", max_tokens=8, messages=[{"role": "user", "content": "Hi"}])

    assert own.request_counts["anthropic /v1/messages"] == 1
    assert clients.default_sandbox().request_counts == {}


def test_package_exports_factory() -> None:
    assert costkit.openai_client is clients.openai_client
    assert costkit.anthropic_client is clients.anthropic_client
    assert costkit.describe_mode is clients.describe_mode
