"""`costkit doctor`: one [OK]/[FAIL] line per requirement, never a key, exit 1 on any failure."""

from __future__ import annotations

import os
import socket
import re
import subprocess
import sys

import pytest

from costkit import doctor

FAKE_KEY = "sk-test-doctor-must-never-print-this-0123456789"


def test_doctor_passes_offline() -> None:
    env = {**os.environ, "OPENAI_API_KEY": FAKE_KEY, "COSTKIT_OFFLINE": "1"}
    env.pop("COSTKIT_REDIS_URL", None)

    result = subprocess.run([sys.executable, "-m", "costkit", "doctor"], capture_output=True, text=True, env=env)

    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert all(re.match(r"\[(OK|FAIL)\] ", line) for line in lines[:-1]), lines
    assert re.fullmatch(r"\d+ passed, 0 failed", lines[-1])
    assert FAKE_KEY not in result.stdout + result.stderr
    assert "OPENAI_API_KEY set" in result.stdout


def test_doctor_names_each_requirement() -> None:
    names = {result.name for result in doctor.run_checks()}

    for expected in ("costkit", "Python", "bundled encodings", "price table", "embedding model", "Redis", "API keys", "mode"):
        assert expected in names
    assert "package tiktoken" in names


def test_failing_check_reports_fail(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> doctor.CheckResult:
        raise FileNotFoundError("o200k_base.tiktoken.gz is missing")

    monkeypatch.setattr(doctor, "_CHECKS", [("bundled encodings", broken)])

    code = doctor.main()

    out = capsys.readouterr().out
    assert code == 1
    assert "[FAIL] bundled encodings: FileNotFoundError: o200k_base.tiktoken.gz is missing" in out


def test_redis_url_password_hidden() -> None:
    assert doctor._without_password("redis://user:secret@127.0.0.1:6379/0") == "redis://***@127.0.0.1:6379/0"


def test_package_older_than_floor_fails() -> None:
    result = doctor._check_package("pytest", "999.0")

    assert not result.ok
    assert "older than the required 999.0" in result.detail


def test_unreachable_redis_fails_with_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("COSTKIT_REDIS_URL", f"redis://127.0.0.1:{port}/0")

    result = doctor._check_redis()

    assert not result.ok
    assert f"cannot reach redis://127.0.0.1:{port}/0" in result.detail
    assert "start redis-server" in result.detail
