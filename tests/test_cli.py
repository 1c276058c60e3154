"""The `costkit` command line: output, exit codes and one-line errors on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from costkit.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_tokens_counts_and_prices_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = tmp_path / "a.txt"
    second = tmp_path / "b.txt"
    first.write_text("Hello world")
    second.write_text("Tokens cost money. " * 100)

    code, out, err = run(capsys, "tokens", str(first), str(second), "--model", "gpt-4o", "--json")

    assert code == EXIT_OK
    assert err == ""
    payload = json.loads(out)
    counts = [row["tokens"] for row in payload["files"]]
    assert counts[0] == 2
    assert payload["total"]["tokens"] == sum(counts)
    costs = [Decimal(row["input_cost_usd"]) for row in payload["files"]]
    assert Decimal(payload["total"]["input_cost_usd"]) == sum(costs)
    assert costs[0] == Decimal("2.50") * 2 / 1_000_000


def test_tokens_table_has_total_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "note.md"
    path.write_text("A short note.")

    code, out, _ = run(capsys, "tokens", str(path))

    assert code == EXIT_OK
    assert out.splitlines()[2].startswith("total")


def test_tokens_missing_file_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.txt"

    code, out, err = run(capsys, "tokens", str(missing))

    assert code == EXIT_FAILURE
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert str(missing) in err
    assert "not found" in err


def test_tokens_non_utf8_file_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("café".encode("latin-1"))

    code, _, err = run(capsys, "tokens", str(latin1))

    assert code == EXIT_FAILURE
    assert len(err.strip().splitlines()) == 1
    assert "not UTF-8" in err
    assert "iconv" in err


def test_tokens_unknown_model_is_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hi")

    code, _, err = run(capsys, "tokens", str(path), "--model", "gpt-4oo")

    assert code == EXIT_USAGE
    assert len(err.strip().splitlines()) == 1
    assert "'gpt-4oo'" in err
    assert "gpt-4o" in err.split("Did you mean", 1)[1]


def test_price_resolves_snapshot(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "price", "gpt-4o-2024-08-06", "--json")

    assert code == EXIT_OK
    payload = json.loads(out)
    assert payload["model"] == "gpt-4o"
    assert Decimal(payload["input"]) == Decimal("2.50")
    assert Decimal(payload["output"]) == Decimal("10")
    assert payload["cache_write_5m"] is None
    assert payload["context_window"] == 128_000


def test_price_gemini_flash(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "price", "gemini-2.0-flash", "--json")

    assert code == EXIT_OK
    payload = json.loads(out)
    assert Decimal(payload["input"]) == Decimal("0.10")
    assert Decimal(payload["output"]) == Decimal("0.40")
    assert payload["discontinued_on"] == "2026-06-01"


def test_models_filters_by_provider(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "models", "--provider", "anthropic")

    assert code == EXIT_OK
    rows = out.splitlines()[1:]
    assert rows
    assert all(" anthropic " in row for row in rows)


def test_models_unknown_provider(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "models", "--provider", "acme")

    assert code == EXIT_USAGE
    assert "'acme'" in err


def test_estimate_reproduces_chatbot_figures(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "estimate", "--users", "1000", "--messages", "5", "--input-tokens", "1500", "--output-tokens", "300",
        "--model", "gpt-4o", "--model", "gpt-4o-mini", "--json",
    )

    assert code == EXIT_OK
    totals = [Decimal(row["total"]) for row in json.loads(out)]
    assert totals[0].quantize(Decimal("0.01")) == Decimal("1012.65")
    assert totals[1].quantize(Decimal("0.01")) == Decimal("60.90")


def test_estimate_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "estimate", "--users", "1000", "--messages", "5", "--input-tokens", "1500", "--output-tokens", "300",
    )

    assert code == EXIT_OK
    assert "$1,012.65" in out
    assert "$60.90" in out


@pytest.mark.parametrize(
    ("option", "value"),
    [("--users", "-5"), ("--users", "0"), ("--users", "2.5"), ("--input-tokens", "many"), ("--days", "0"), ("--messages", "nan")],
)
def test_estimate_bad_numbers_exit_2(option: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["estimate", "--users", "10", "--messages", "5", "--input-tokens", "100", "--output-tokens", "10"]
    argv += [option, value]

    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    assert exit_info.value.code == EXIT_USAGE
    assert repr(value) in capsys.readouterr().err


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)

    assert code == EXIT_USAGE
    assert "usage: costkit" in out


def test_console_script_runs_as_module(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Hello world")

    result = subprocess.run(
        [sys.executable, "-m", "costkit", "tokens", str(path), "--json"], capture_output=True, text=True, check=False
    )

    assert result.returncode == EXIT_OK, result.stderr
    assert json.loads(result.stdout)["total"]["tokens"] == 2


def test_tokens_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Hello world")))

    code, out, _ = run(capsys, "tokens", "-", "--json")

    assert code == EXIT_OK
    assert json.loads(out)["total"]["tokens"] == 2


def test_price_shows_long_context_tier(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "price", "gemini-2.5-pro")

    assert code == EXIT_OK
    assert "long context above (tokens)  200000" in out
    assert "long context input           2.50" in out


def test_price_missing_model_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "price", "")

    assert code == EXIT_USAGE
    assert err.strip() == "costkit price: missing model: pass a model id such as gpt-4o; `costkit models` lists them"


def test_unknown_model_points_to_models_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "price", "gpt-4oo")

    assert code == EXIT_USAGE
    assert "`costkit models`" in err
    assert "with_price" not in err


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--embedding-model", "foo", "unknown model 'foo'"),
        ("--embedding-model", "gpt-4o", "is a chat model"),
        ("--model", "text-embedding-3-small", "is an embedding model"),
    ],
)
def test_estimate_checks_model_kinds(option: str, value: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["estimate", "--users", "10", "--messages", "5", "--input-tokens", "100", "--output-tokens", "10"]

    code, _, err = run(capsys, *argv, option, value)

    assert code == EXIT_USAGE
    assert len(err.strip().splitlines()) == 1
    assert message in err


def test_estimate_json_without_embeddings(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["estimate", "--users", "10", "--messages", "5", "--input-tokens", "100", "--output-tokens", "10"]

    code, out, _ = run(capsys, *argv, "--embedding-model", "none", "--model", "gpt-4o", "--json")

    assert code == EXIT_OK
    row = json.loads(out)[0]
    assert row["embedding_model"] is None
    assert row["daily_users"] == 10
    assert Decimal(row["embedding_cost"]) == 0


def test_models_provider_ignores_case(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "models", "--provider", "OpenAI", "--json")

    assert code == EXIT_OK
    models = json.loads(out)["models"]
    assert models
    assert {row["provider"] for row in models} == {"openai"}


def test_version_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])

    assert exit_info.value.code == EXIT_OK
    assert capsys.readouterr().out.startswith("costkit ")
