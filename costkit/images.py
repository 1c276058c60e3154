"""Image input tokens for OpenAI models, and image sizes read from data URLs without Pillow.

Tile-priced models (gpt-4o, gpt-4.1, gpt-5, o1, o3, ...) cost a base plus a fixed number of
tokens per 512-px tile. Patch-priced models (gpt-4.1-mini, gpt-5-mini, o4-mini, ...) cost
32-px patches times a multiplier. ``costkit.tokens.count_message_tokens`` uses these rules for
image parts.

>>> count_image_tokens(1024, 1024, detail="high", model="gpt-4o")
765
"""

from __future__ import annotations

import base64
import binascii
import math
import struct
from dataclasses import dataclass

from costkit.encodings import encoding_name_for_model, match_model_family
from costkit.errors import UnknownModelError

__all__ = ["DETAIL_LEVELS", "IMAGE_TOKEN_RULES", "ImageTokenRule", "count_image_tokens", "image_size_from_data_url"]

DETAIL_LEVELS = ("auto", "low", "high")


def count_image_tokens(width: int, height: int, *, detail: str = "auto", model: str = "gpt-4o") -> int:
    """Count the input tokens of one image of ``width`` × ``height`` pixels sent to ``model``.

    Tile-priced models are gpt-4o, gpt-4.1, gpt-5, o1, o3 and others in ``IMAGE_TOKEN_RULES``.
    With ``detail="high"`` the image is scaled to fit within 2048×2048, then down until its
    shortest side is at most 768 px. It costs the base tokens plus the tile tokens for each
    512-px tile that covers it. ``detail="low"`` costs the base only. ``detail="auto"`` is counted as "high", the larger
    figure, because the API decides per image and does not say which it chose.

    Patch-priced models (gpt-4.1-mini, gpt-4.1-nano, gpt-5-mini, gpt-5-nano, o4-mini) count
    32-px patches, at most 1536, times a per-model multiplier, whatever the detail.

    >>> count_image_tokens(2048, 4096, detail="high", model="gpt-4o")
    1105
    """
    for label, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"image {label} must be a positive int number of pixels, got {value!r}")
    if detail not in DETAIL_LEVELS:
        raise ValueError(f"detail must be one of {DETAIL_LEVELS}, got {detail!r}")

    rule = _image_rule(model)
    if rule.patch_multiplier_percent is not None:
        patches = _count_patches(width, height)
        return (patches * rule.patch_multiplier_percent + 50) // 100
    if detail == "low":
        return rule.base_tokens
    return rule.base_tokens + rule.tile_tokens * _count_tiles(width, height)


def image_size_from_data_url(url: str) -> tuple[int, int]:
    """Return ``(width, height)`` of a base64 ``data:image/...`` URL by reading its PNG, JPEG, GIF or WebP header.

    Raises ``ValueError`` when the URL is not a base64 data URL or the image format is not one of these.
    """
    header, separator, payload = url.partition(",")
    if not header.startswith("data:") or not separator or not header.endswith(";base64"):
        raise ValueError(f"expected a base64 data URL such as 'data:image/png;base64,...', got {_preview(url)}")
    try:
        data = base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError) as error:
        raise ValueError(f"the data URL's base64 payload cannot be decoded: {error}") from error
    return _image_size_from_bytes(data)


# --- helpers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageTokenRule:
    """Image pricing of one model family: tiles (base and per-tile tokens) or patches (a multiplier)."""

    base_tokens: int = 0
    tile_tokens: int = 0
    patch_multiplier_percent: int | None = None


def _tiles(base: int, tile: int) -> ImageTokenRule:
    return ImageTokenRule(base_tokens=base, tile_tokens=tile)


def _patches(multiplier_percent: int) -> ImageTokenRule:
    return ImageTokenRule(patch_multiplier_percent=multiplier_percent)


# Source: OpenAI's "Images and vision" guide, section "Calculating costs" (tile and patch tables).
# Keys are model families matched like encodings (longest prefix, dated snapshots included).
# None marks a family that does not accept image input.
IMAGE_TOKEN_RULES: dict[str, ImageTokenRule | None] = {
    "gpt-4o": _tiles(85, 170),
    "chatgpt-4o": _tiles(85, 170),
    "gpt-4.1": _tiles(85, 170),
    "gpt-4.5": _tiles(85, 170),
    "gpt-4-turbo": _tiles(85, 170),
    "gpt-4o-mini": _tiles(2833, 5667),
    "gpt-5": _tiles(70, 140),
    "o1": _tiles(75, 150),
    "o3": _tiles(75, 150),
    "computer-use-preview": _tiles(65, 129),
    "gpt-4.1-mini": _patches(162),
    "gpt-4.1-nano": _patches(246),
    "gpt-5-mini": _patches(162),
    "gpt-5-nano": _patches(246),
    "o4-mini": _patches(172),
    "o1-mini": None,
    "o3-mini": None,
}

_MAX_IMAGE_SIDE = 2048
_MAX_SHORTEST_SIDE = 768
_TILE_SIZE = 512
_PATCH_SIZE = 32
_MAX_PATCHES = 1536


def _image_rule(model: str) -> ImageTokenRule:
    family = match_model_family(model, IMAGE_TOKEN_RULES)
    if family is None:
        families = sorted(name for name, rule in IMAGE_TOKEN_RULES.items() if rule)
        fix = f"Pass model= one of {families} whose image pricing matches, or read the image tokens from response.usage."
        try:
            encoding_name_for_model(model)
        except UnknownModelError as error:
            raise UnknownModelError(model, error.suggestions, fix=fix) from None
        raise ValueError(f"costkit has no image token rule for model {model!r}. {fix}")
    rule = IMAGE_TOKEN_RULES[family]
    if rule is None:
        raise ValueError(f"model {model!r} does not accept image input; send images to a vision model such as 'gpt-4o'")
    return rule


def _count_tiles(width: int, height: int) -> int:
    scale = min(1.0, _MAX_IMAGE_SIDE / max(width, height))
    scaled_width, scaled_height = width * scale, height * scale

    shortest = min(scaled_width, scaled_height)
    if shortest > _MAX_SHORTEST_SIDE:
        scaled_width *= _MAX_SHORTEST_SIDE / shortest
        scaled_height *= _MAX_SHORTEST_SIDE / shortest

    # The API rounds resized sides to whole pixels: a 2050×513 image becomes 2048×512 (1 row of
    # tiles), a 2049×513 image 2048×513 (2 rows). Python's round() matches both. A side never
    # shrinks below 1 px, so even a 1×4096 image covers one tile.
    columns = math.ceil(max(1, round(scaled_width)) / _TILE_SIZE)
    rows = math.ceil(max(1, round(scaled_height)) / _TILE_SIZE)
    return columns * rows


def _count_patches(width: int, height: int) -> int:
    patches = math.ceil(width / _PATCH_SIZE) * math.ceil(height / _PATCH_SIZE)
    if patches <= _MAX_PATCHES:
        return patches

    # Scale the image down to about 1536 patches, then shrink a little more so that whole
    # patches cover the limiting side exactly.
    shrink = math.sqrt(_PATCH_SIZE**2 * _MAX_PATCHES / (width * height))
    width_patches, height_patches = width * shrink / _PATCH_SIZE, height * shrink / _PATCH_SIZE
    shrink *= min(_whole_patch_ratio(width_patches), _whole_patch_ratio(height_patches))

    # The small epsilon keeps 33.0000000001 patches (floating-point noise) at 33.
    resized_columns = math.ceil(width * shrink / _PATCH_SIZE - 1e-9)
    resized_rows = math.ceil(height * shrink / _PATCH_SIZE - 1e-9)
    return min(resized_columns * resized_rows, _MAX_PATCHES)


def _whole_patch_ratio(patches: float) -> float:
    # A side thinner than one patch (an extreme aspect ratio) keeps its one partial patch.
    return math.floor(patches) / patches if patches >= 1 else 1.0


def _image_size_from_bytes(data: bytes) -> tuple[int, int]:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return width, height

    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height

    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return _webp_size(data)

    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)

    raise ValueError(f"unsupported or truncated image data (first bytes {data[:12]!r}); expected PNG, JPEG, GIF or WebP")


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:  # lossy: 14-bit sizes after the frame tag and start code
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:  # lossless: 14-bit sizes minus one, packed after a 0x2F byte
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:  # extended: 24-bit canvas sizes minus one
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    raise ValueError(f"unsupported or truncated WebP data (chunk {chunk!r})")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    # Walk the marker segments until a start-of-frame marker, which contains the size.
    start_of_frame_markers = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            break
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length field
            position += 2
            continue

        (segment_length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker in start_of_frame_markers and position + 9 <= len(data):
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        position += 2 + segment_length
    raise ValueError("unsupported or truncated JPEG data: no start-of-frame marker with the image size")


def _preview(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
