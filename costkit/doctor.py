"""``costkit doctor``: one ``[OK]`` or ``[FAIL]`` line per requirement, for set-up checks and bug reports.

The report never contains an API key: it states only whether each key is set.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

MIN_PYTHON = (3, 10)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one requirement check."""

    ok: bool
    name: str
    detail: str

    def __str__(self) -> str:
        return f"[{'OK' if self.ok else 'FAIL'}] {self.name}: {self.detail}"


def run_checks() -> list[CheckResult]:
    """Run every check and return the results in report order. A check that raises counts as failed."""
    from costkit import __version__

    results: list[CheckResult] = [CheckResult(True, "costkit", f"{__version__} at {_package_folder()}"), _check_python()]
    results.extend(_check_packages())
    for name, check in _CHECKS:
        try:
            results.append(check())
        except Exception as error:  # a broken install must show up as one FAIL line, not a traceback
            results.append(CheckResult(False, name, f"{type(error).__name__}: {error}"))
    return results


def main() -> int:
    """Print the report and return 0 when every check passed, else 1."""
    results = run_checks()
    for result in results:
        print(result)
    failed = sum(not result.ok for result in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def _package_folder() -> str:
    import costkit

    return os.path.dirname(costkit.__file__)


def _check_python() -> CheckResult:
    version = platform.python_version()
    ok = sys.version_info[:2] >= MIN_PYTHON
    floor = ".".join(map(str, MIN_PYTHON))
    detail = f"{version} at {sys.executable}" if ok else f"{version} is too old; install Python {floor} or newer"
    return CheckResult(ok, "Python", detail)


def _check_packages() -> list[CheckResult]:
    """Check that each runtime dependency of costkit is installed at or above its lower bound."""
    try:
        requirements = metadata.requires("costkit") or []
    except metadata.PackageNotFoundError:
        return [CheckResult(False, "costkit", "not installed; run `make install` or `pip install -e .`")]

    results = []
    for requirement in requirements:
        if "extra ==" in requirement:
            continue
        match = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(?:>=\s*([0-9][0-9A-Za-z.]*))?", requirement)
        if match is None:
            continue
        name, floor = match.group(1), match.group(2)
        results.append(_check_package(name, floor))
    return results


def _check_package(name: str, floor: str | None) -> CheckResult:
    try:
        installed = metadata.version(name)
    except metadata.PackageNotFoundError:
        return CheckResult(False, f"package {name}", "not installed; run `make install`")
    if floor is not None and _version_key(installed) < _version_key(floor):
        return CheckResult(False, f"package {name}", f"{installed} is older than the required {floor}; run `make install`")
    return CheckResult(True, f"package {name}", installed)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def _check_encodings() -> CheckResult:
    from costkit.encodings import get_encoding

    sizes = []
    for name in ("o200k_base", "cl100k_base"):
        encoding = get_encoding(name)
        sizes.append(f"{name} ({encoding.n_vocab:,} tokens)")
    return CheckResult(True, "bundled encodings", ", ".join(sizes) + ", loaded offline")


def _check_price_table() -> CheckResult:
    from costkit.pricing import PriceTable

    table = PriceTable.default()
    return CheckResult(True, "price table", f"{len(table.models())} models, as of {table.as_of}")


def _check_embedding_model() -> CheckResult:
    from costkit.embeddings import get_embedder

    embedder = get_embedder("static")
    vector = embedder.embed_one("doctor check")
    return CheckResult(True, "embedding model", f"{embedder.name}, {vector.shape[0]} dimensions, loaded offline")


def _check_redis() -> CheckResult:
    url = os.environ.get("COSTKIT_REDIS_URL")
    if not url:
        return CheckResult(True, "Redis", "COSTKIT_REDIS_URL not set (optional: only Redis-backed stores need it)")
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        return CheckResult(
            False,
            "Redis",
            f"cannot reach {_without_password(url)} ({error}); start redis-server or fix COSTKIT_REDIS_URL, "
            "or unset it to skip this check",
        )
    return CheckResult(True, "Redis", f"reachable at {_without_password(url)}")


def _without_password(url: str) -> str:
    return re.sub(r"//[^@/]*@", "//***@", url)


def _check_api_keys() -> CheckResult:
    states = [f"{key} {'set' if os.environ.get(key) else 'not set'}" for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY")]
    return CheckResult(True, "API keys", ", ".join(states))


def _check_mode() -> CheckResult:
    from costkit.clients import describe_mode

    return CheckResult(True, "mode", describe_mode().removeprefix("Mode: "))


_CHECKS: list[tuple[str, Callable[[], CheckResult]]] = [
    ("bundled encodings", _check_encodings),
    ("price table", _check_price_table),
    ("embedding model", _check_embedding_model),
    ("Redis", _check_redis),
    ("API keys", _check_api_keys),
    ("mode", _check_mode),
]
