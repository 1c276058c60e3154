"""The ``costkit`` command line.

Exit codes: 0 success, 1 failure (a file that is missing or not UTF-8 text, a failed doctor
check), 2 bad usage (an invalid option, an unknown model, a negative or non-integer count).
Each error ends in one line on stderr that names the value and what to do instead. For an
invalid option, argparse prints the command's usage line above that line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class CommandError(Exception):
    """An error to print as one line, with the exit code to return."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)  # exits with code 2 on invalid options
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except CommandError as error:
        print(f"costkit {args.command}: {error}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:  # e.g. `costkit models | head`
        return EXIT_OK


# Commands ------------------------------------------------------------------------------------


def _run_tokens(args: argparse.Namespace) -> int:
    from costkit.tokens import count_tokens

    price = _price_or_usage_error(args.model)
    rows = []
    for name in args.files:
        text = _read_text(name)
        tokens = count_tokens(text, args.model)
        rows.append((name, tokens, _per_million(price.input, tokens)))

    total_tokens = sum(tokens for _, tokens, _ in rows)
    total_cost = sum((cost for _, _, cost in rows), Decimal(0))
    if args.json:
        payload = {
            "model": args.model,
            "files": [{"file": name, "tokens": tokens, "input_cost_usd": str(cost)} for name, tokens, cost in rows],
            "total": {"tokens": total_tokens, "input_cost_usd": str(total_cost)},
        }
        print(json.dumps(payload, indent=2))
        return EXIT_OK

    width = max(len("total"), *(len(name) for name in args.files))
    print(f"{'file':<{width}}  {'tokens':>10}  {'input cost (USD)':>16}")
    for name, tokens, cost in rows:
        print(f"{name:<{width}}  {tokens:>10,}  {_usd(cost):>16}")
    print(f"{'total':<{width}}  {total_tokens:>10,}  {_usd(total_cost):>16}")
    print(f"Model {args.model} at ${price.input} per 1M input tokens (prices as of {price.as_of}).")
    from costkit.tokens import is_estimate

    if is_estimate(args.model):
        print(f"Counts for {args.model} are estimates: its tokenizer is not public.")
    return EXIT_OK


def _run_price(args: argparse.Namespace) -> int:
    price = _price_or_usage_error(args.model)
    fields = [
        ("model", "model", price.model),
        ("provider", "provider", price.provider),
        ("mode", "mode", price.mode),
        ("input", "input (USD / 1M tokens)", price.input),
        ("cached_input", "cached input", price.cached_input),
        ("cache_write_5m", "cache write 5 min", price.cache_write_5m),
        ("cache_write_1h", "cache write 1 h", price.cache_write_1h),
        ("output", "output", price.output),
        ("batch_input", "batch input", price.batch_input),
        ("batch_output", "batch output", price.batch_output),
        ("long_context_threshold", "long context above (tokens)", price.long_context_threshold),
        ("long_context_input", "long context input", price.long_context_input),
        ("long_context_output", "long context output", price.long_context_output),
        ("context_window", "context window (tokens)", price.context_window),
        ("max_output_tokens", "max output (tokens)", price.max_output_tokens),
        ("min_cacheable_tokens", "min cacheable (tokens)", price.min_cacheable_tokens),
        ("encoding", "encoding", price.encoding + ("" if price.encoding_exact else " (estimate)")),
        ("discontinued_on", "discontinued on", price.discontinued_on),
        ("notes", "notes", price.notes or None),
        ("as_of", "as of", price.as_of),
        ("source", "source", price.source),
    ]
    if args.json:
        # Prices are strings so that JSON readers keep them exact; missing values are null.
        payload = {key: value if value is None or isinstance(value, int) else str(value) for key, _, value in fields}
        print(json.dumps(payload, indent=2))
        return EXIT_OK
    for _, label, value in fields:
        if value is not None:
            print(f"{label:<28} {value}")
    if price.model != args.model:
        print(f"({args.model!r} resolves to {price.model!r})")
    return EXIT_OK


def _run_models(args: argparse.Namespace) -> int:
    from costkit.pricing import PriceTable

    table = PriceTable.default()
    prices = [table.get(model) for model in table.models()]
    if args.provider:
        prices = [price for price in prices if price.provider == args.provider.lower()]
        if not prices:
            providers = sorted({table.get(model).provider for model in table.models()})
            raise CommandError(f"no models for provider {args.provider!r}; use one of {', '.join(providers)}", EXIT_USAGE)
    if args.json:
        rows = [{"model": p.model, "provider": p.provider, "mode": p.mode, "input": str(p.input), "output": str(p.output)} for p in prices]
        print(json.dumps({"as_of": table.as_of, "models": rows}, indent=2))
        return EXIT_OK
    print(f"{'model':<28} {'provider':<10} {'input':>8} {'output':>8}  (USD per 1M tokens, as of {table.as_of})")
    for price in prices:
        print(f"{price.model:<28} {price.provider:<10} {price.input:>8} {price.output:>8}")
    return EXIT_OK


def _run_estimate(args: argparse.Namespace) -> int:
    from costkit.estimate import estimate_monthly_cost

    models = args.model or ["gpt-4o", "gpt-4o-mini"]
    embedding_model = None if args.embedding_model.lower() == "none" else args.embedding_model
    if embedding_model is not None:
        embedding_price = _price_or_usage_error(embedding_model)
        if embedding_price.mode != "embedding":
            raise CommandError(
                f"--embedding-model {embedding_model!r} is a {embedding_price.mode} model; "
                f"pass an embedding model such as text-embedding-3-small, or none",
                EXIT_USAGE,
            )
    estimates = []
    for model in models:
        if _price_or_usage_error(model).mode == "embedding":
            raise CommandError(f"--model {model!r} is an embedding model; pass a chat model such as gpt-4o", EXIT_USAGE)
        try:
            estimates.append(
                estimate_monthly_cost(
                    args.users,
                    args.messages,
                    args.input_tokens,
                    args.output_tokens,
                    model,
                    embedding_model=embedding_model,
                    embedding_tokens_per_query=args.embedding_tokens,
                    days=args.days,
                )
            )
        except ValueError as error:
            raise CommandError(str(error), EXIT_USAGE) from error

    if args.json:
        # Money and query counts are strings so that JSON readers keep them exact.
        payload = [
            {key: value if value is None or isinstance(value, int) else str(value) for key, value in e.as_dict().items()}
            for e in estimates
        ]
        print(json.dumps(payload, indent=2))
        return EXIT_OK
    print(
        f"{args.users:,} users x {args.messages:g} messages x {args.days} days, "
        f"{args.input_tokens:,} input + {args.output_tokens:,} output tokens per message"
        + (f", {args.embedding_tokens} embedding tokens per message ({embedding_model})" if embedding_model else "")
    )
    print(f"{'model':<20} {'queries':>12} {'LLM (USD)':>14} {'embeddings':>12} {'total (USD)':>14}")
    for model, estimate in zip(models, estimates):
        print(
            f"{model:<20} {estimate.queries:>12,} {_usd(estimate.llm_cost):>14} "
            f"{_usd(estimate.embedding_cost):>12} {_usd(estimate.total):>14}"
        )
    return EXIT_OK


def _run_doctor(args: argparse.Namespace) -> int:
    from costkit.doctor import main as doctor_main

    return doctor_main()


# Helpers -------------------------------------------------------------------------------------


def _build_parser() -> argparse.ArgumentParser:
    from costkit import __version__

    parser = argparse.ArgumentParser(
        prog="costkit",
        description="Count tokens and price LLM calls offline.",
        epilog="Exit codes: 0 success, 1 failure, 2 bad usage.",
    )
    parser.add_argument("--version", action="version", version=f"costkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    tokens = commands.add_parser("tokens", help="count the tokens in files and price sending them as input")
    tokens.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files; - reads standard input")
    tokens.add_argument("--model", default="gpt-4o", help="model whose tokenizer and input price to use (default: gpt-4o)")
    tokens.add_argument("--json", action="store_true", help="print JSON instead of a table")
    tokens.set_defaults(handler=_run_tokens)

    price = commands.add_parser("price", help="show one model's prices")
    price.add_argument("model", help="model id, alias or dated snapshot, e.g. gpt-4o-2024-08-06")
    price.add_argument("--json", action="store_true", help="print JSON instead of a table")
    price.set_defaults(handler=_run_price)

    models = commands.add_parser("models", help="list the models in the price table")
    models.add_argument("--provider", help="show only this provider, e.g. openai, anthropic, google")
    models.add_argument("--json", action="store_true", help="print JSON instead of a table")
    models.set_defaults(handler=_run_models)

    estimate = commands.add_parser("estimate", help="project the monthly cost of a chatbot")
    estimate.add_argument("--users", type=_positive_int, required=True, help="daily active users (1 or more)")
    estimate.add_argument("--messages", type=_non_negative_float, required=True, help="messages per user per day")
    estimate.add_argument("--input-tokens", type=_non_negative_int, required=True, help="input tokens per message")
    estimate.add_argument("--output-tokens", type=_non_negative_int, required=True, help="output tokens per message")
    estimate.add_argument("--model", action="append", help="model to price; repeat for several (default: gpt-4o and gpt-4o-mini)")
    estimate.add_argument("--embedding-model", default="text-embedding-3-small", help="embedding model for each query, or none")
    estimate.add_argument("--embedding-tokens", type=_non_negative_int, default=50, help="tokens embedded per query (default: 50)")
    estimate.add_argument("--days", type=_positive_int, default=30, help="days in the month (default: 30)")
    estimate.add_argument("--json", action="store_true", help="print JSON instead of a table")
    estimate.set_defaults(handler=_run_estimate)

    doctor = commands.add_parser("doctor", help="check the installation, one [OK]/[FAIL] line per requirement")
    doctor.set_defaults(handler=_run_doctor)
    return parser


def _price_or_usage_error(model: str):  # -> costkit.pricing.ModelPrice
    from costkit.errors import UnknownModelError
    from costkit.pricing import get_price

    try:
        return get_price(model)
    except UnknownModelError as error:
        if not model.strip():
            raise CommandError("missing model: pass a model id such as gpt-4o; `costkit models` lists them", EXIT_USAGE) from error
        hint = f" Did you mean {', '.join(error.suggestions)}?" if error.suggestions else ""
        raise CommandError(f"unknown model {model!r}.{hint} `costkit models` lists the models in the price table.", EXIT_USAGE) from error


def _read_text(name: str) -> str:
    if name == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(name)
        if not path.exists():
            raise CommandError(f"file not found: {name!r}; check the path", EXIT_FAILURE)
        if path.is_dir():
            raise CommandError(f"{name!r} is a directory; pass the files inside it, e.g. {name}/*.md", EXIT_FAILURE)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {name!r}: {error.strerror}", EXIT_FAILURE) from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{name!r} is not UTF-8 text (invalid byte 0x{data[error.start]:02x} at offset {error.start}); "
            f"convert it first, e.g. iconv -f latin1 -t utf-8 {name}",
            EXIT_FAILURE,
        ) from error


def _per_million(price_per_million: Decimal, tokens: int) -> Decimal:
    return price_per_million * tokens / Decimal(1_000_000)


def _usd(amount: Decimal) -> str:
    """Format USD with cents, or with six decimals for amounts below one cent."""
    if amount != 0 and abs(amount) < Decimal("0.01"):
        return f"${amount:.6f}"
    return f"${amount:,.2f}"


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}: pass a whole number such as 1500") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}: must be 0 or more")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}: must be 1 or more")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}: pass a number such as 5 or 2.5") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"invalid number {text!r}: must be a finite number, 0 or more")
    return value
