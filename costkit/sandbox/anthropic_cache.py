"""The Anthropic prompt split into cacheable blocks, and the sandbox's prompt cache over them.

A Messages API request is rendered into a flat list of :class:`PromptBlock` in the order that the
API builds its cache prefix: tools, then system, then messages. Each block carries its token count
and, when the request marked it with ``cache_control``, a breakpoint with a TTL of "5m" or "1h".

:meth:`PromptCache.apply` then bills one request the way the API does:

- the longest prefix that ends at a block boundary, lies at most 20 blocks before one of the
  request's breakpoints and is still alive in the cache is a cache read;
- each later breakpoint whose prefix reaches the model's minimum cacheable length writes the tokens
  between the previous cached point and itself, at that breakpoint's TTL;
- every other token is uncached input.

Entries are keyed by model and by a hash of the exact prefix, ``cache_control`` markers excluded,
so moving a breakpoint does not change the key. A hit refreshes the TTL of every live entry inside
the prefix that was read. Time is the sandbox clock, never the wall clock.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import struct
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Segment = Literal["tools", "system", "messages"]
CacheTTL = Literal["5m", "1h"]

#: Seconds each cache TTL keeps an entry alive after its last write or hit.
TTL_SECONDS: dict[str, float] = {"5m": 300.0, "1h": 3600.0}

#: The API accepts at most this many ``cache_control`` breakpoints per request.
MAX_BREAKPOINTS = 4

#: A cache hit is looked up only at block boundaries at most this many blocks before a breakpoint,
#: the breakpoint's own block included. NOTE: the API's lookback is about 20 blocks, an estimate.
LOOKBACK_BLOCKS = 20

#: Minimum cacheable prefix when the price table has no per-model value. 1024 tokens is the
#: smallest minimum that Anthropic lists for any current model.
DEFAULT_MIN_CACHEABLE_TOKENS = 1024

# NOTE: the overheads below are estimates. Claude's tokenizer is not public, so the sandbox counts
# text with o200k_base and adds small fixed costs for the wire format around it.
#: Tokens for the role marker that opens each message.
MESSAGE_OVERHEAD_TOKENS = 3
#: Tokens that prime the assistant's reply after the last message.
REPLY_PRIMING_TOKENS = 3
#: Tokens of the hidden system prompt the API adds when ``tools`` is present, by ``tool_choice``.
#: NOTE: 346 and 313 are estimates for Claude 4 models. Anthropic's tool-use pricing page lists the
#: size per model, and the copy checked here lists only Claude 3 models (159 to 530 tokens).
TOOL_SYSTEM_PROMPT_TOKENS: dict[str, int] = {"auto": 346, "none": 346, "any": 313, "tool": 313}

#: Anthropic bills an image at about width × height / 750 tokens, after scaling it down so the
#: long edge is at most 1568 px and the cost at most about 1,600 tokens.
IMAGE_PIXELS_PER_TOKEN = 750
IMAGE_MAX_EDGE_PX = 1568
IMAGE_MAX_TOKENS = 1600
#: Tokens assumed for an image whose size cannot be read: a URL or file source (the sandbox never
#: fetches), or bytes in a format the sandbox does not parse.
UNKNOWN_IMAGE_TOKENS = IMAGE_MAX_TOKENS
#: NOTE: a PDF page is billed as its text plus an image of the page. The sandbox does not extract
#: the text, so it assumes a flat 2,000 tokens per page.
PDF_PAGE_TOKENS = 2000

CONTENT_BLOCK_TYPES = ("text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking")


class PromptError(ValueError):
    """A request body that the Messages API rejects with ``invalid_request_error``.

    ``str(error)`` is the message to return, starting with the path of the offending field.
    """


@dataclass(frozen=True)
class PromptBlock:
    """One unit of the rendered prompt: a tool definition, a system block or a message content block.

    ``fingerprint`` is the canonical JSON of the block without its ``cache_control`` marker, so two
    blocks with equal fingerprints are the same prompt content.
    """

    segment: Segment
    fingerprint: str
    tokens: int
    breakpoint_ttl: CacheTTL | None = None
    path: str = ""


@dataclass(frozen=True)
class CacheResult:
    """The split of one request's input tokens into disjoint billing buckets.

    ``input_tokens`` excludes cache reads and writes, as in the Anthropic ``usage`` object, so the
    prompt's size is ``input_tokens + cache_read_input_tokens + cache_creation_input_tokens``.
    """

    input_tokens: int
    cache_read_input_tokens: int
    ephemeral_5m_input_tokens: int
    ephemeral_1h_input_tokens: int

    @property
    def cache_creation_input_tokens(self) -> int:
        """Cache write tokens at both TTLs."""
        return self.ephemeral_5m_input_tokens + self.ephemeral_1h_input_tokens

    @property
    def total_input_tokens(self) -> int:
        """Every prompt token, whichever bucket bills it."""
        return self.input_tokens + self.cache_read_input_tokens + self.cache_creation_input_tokens


@dataclass
class CacheEntry:
    """A cached prompt prefix: its size, its TTL and when it expires in sandbox time."""

    tokens: int
    ttl: CacheTTL
    expires_at: float


@dataclass
class PromptCache:
    """The sandbox's Anthropic prompt cache, shared by every request to one :class:`Sandbox`."""

    entries: dict[tuple[str, str], CacheEntry] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def apply(self, model: str, blocks: Sequence[PromptBlock], *, now: float, min_cacheable_tokens: int) -> CacheResult:
        """Bill one request against the cache, recording its writes and refreshing the entries it reads.

        ``model`` is the canonical model id, because each model has its own cache. ``now`` is
        sandbox time in seconds. A prefix shorter than ``min_cacheable_tokens`` is never written,
        and the request still succeeds with those tokens billed as uncached input.
        """
        cumulative = _cumulative_tokens(blocks)
        prefix_hashes = prefix_fingerprints(blocks)
        breakpoints = [(index, block.breakpoint_ttl) for index, block in enumerate(blocks) if block.breakpoint_ttl]

        with self._lock:
            hit_index = self._longest_live_hit(model, prefix_hashes, [index for index, _ in breakpoints], now)
            read_tokens = cumulative[hit_index] if hit_index >= 0 else 0
            self._refresh(model, prefix_hashes[: hit_index + 1], now)

            written = {"5m": 0, "1h": 0}
            covered = read_tokens
            for index, ttl in breakpoints:
                if index <= hit_index or cumulative[index] < min_cacheable_tokens:
                    continue
                written[ttl] += cumulative[index] - covered
                covered = cumulative[index]
                self.entries[(model, prefix_hashes[index])] = CacheEntry(
                    tokens=cumulative[index], ttl=ttl, expires_at=now + TTL_SECONDS[ttl]
                )

        total = cumulative[-1] if cumulative else 0
        return CacheResult(
            input_tokens=total - covered,
            cache_read_input_tokens=read_tokens,
            ephemeral_5m_input_tokens=written["5m"],
            ephemeral_1h_input_tokens=written["1h"],
        )

    def live_entries(self, *, now: float) -> list[CacheEntry]:
        """Return the entries that have not expired at sandbox time ``now``."""
        with self._lock:
            return [entry for entry in self.entries.values() if entry.expires_at > now]

    def clear(self) -> None:
        """Drop every entry, as if each TTL had run out."""
        with self._lock:
            self.entries.clear()

    def _longest_live_hit(self, model: str, prefix_hashes: list[str], breakpoints: list[int], now: float) -> int:
        best = -1
        for breakpoint in breakpoints:
            for index in range(breakpoint, max(-1, breakpoint - LOOKBACK_BLOCKS), -1):
                if index <= best:
                    break
                entry = self.entries.get((model, prefix_hashes[index]))
                if entry is not None and entry.expires_at > now:
                    best = index
                    break
        return best

    def _refresh(self, model: str, prefix_hashes: Iterable[str], now: float) -> None:
        for prefix_hash in prefix_hashes:
            entry = self.entries.get((model, prefix_hash))
            if entry is not None and entry.expires_at > now:
                entry.expires_at = now + TTL_SECONDS[entry.ttl]


# Rendering -----------------------------------------------------------------------------------


def render_prompt(body: Mapping[str, Any], model: str) -> list[PromptBlock]:
    """Render a Messages API request body into prompt blocks in cache-prefix order.

    Raise :class:`PromptError` for a malformed ``system``, ``messages``, ``tools`` or
    ``cache_control``, with the field's path and the fix in the message. Token counts are
    estimates for Claude models (see :func:`costkit.tokens.is_estimate`).
    """
    blocks: list[PromptBlock] = []
    tools = body.get("tools")
    tool_choice = _tool_choice_type(body.get("tool_choice"))

    if tools is not None:
        if not isinstance(tools, list):
            raise PromptError(f"tools: Input should be a valid list, got {type(tools).__name__}")
        if tools:
            blocks.append(
                PromptBlock("tools", f"tool-system-prompt:{tool_choice}", TOOL_SYSTEM_PROMPT_TOKENS[tool_choice])
            )
        for index, tool in enumerate(tools):
            blocks.append(_render_tool(tool, f"tools.{index}", model))

    system = body.get("system")
    if isinstance(system, str):
        if system:
            fingerprint = _canonical({"type": "text", "text": system})
            blocks.append(PromptBlock("system", fingerprint, _count(system, model), path="system"))
    elif isinstance(system, list):
        for index, part in enumerate(system):
            path = f"system.{index}"
            if not isinstance(part, Mapping) or part.get("type") != "text":
                raise PromptError(f"{path}: system blocks must be text blocks, e.g. {{'type': 'text', 'text': '...'}}")
            blocks.append(_render_content_block(part, path, "system", model))
    elif system is not None:
        raise PromptError(f"system: Input should be a string or a list of text blocks, got {type(system).__name__}")

    messages = body.get("messages")
    if not isinstance(messages, list):
        raise PromptError(f"messages: Input should be a valid list, got {type(messages).__name__}")
    # Changing tool_choice invalidates cached messages but not cached tools or system blocks.
    choice_marker = _canonical(body.get("tool_choice"))
    for message_index, message in enumerate(messages):
        blocks.extend(_render_message(message, f"messages.{message_index}", choice_marker, model))

    if blocks:
        blocks.append(PromptBlock("messages", "reply-priming", REPLY_PRIMING_TOKENS))
    _apply_top_level_cache_control(blocks, body.get("cache_control"))
    _check_breakpoints(blocks)
    return blocks


def prefix_fingerprints(blocks: Sequence[PromptBlock]) -> list[str]:
    """Return, for each block, a hash of the whole prompt up to and including that block."""
    hashes: list[str] = []
    running = hashlib.sha256()
    for block in blocks:
        running.update(block.segment.encode())
        running.update(b"\x00")
        running.update(block.fingerprint.encode())
        running.update(b"\x01")
        hashes.append(running.copy().hexdigest())
    return hashes


def flatten_text(content: Any) -> str:
    """Return the text of message content (a string or a list of blocks), for responders and seeds."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    parts: list[str] = []
    for block in content:
        if not isinstance(block, Mapping):
            continue
        kind = block.get("type")
        if kind == "text":
            parts.append(str(block.get("text", "")))
        elif kind == "tool_result":
            parts.append(flatten_text(block.get("content", "")))
        elif kind == "tool_use":
            parts.append(_canonical(block.get("input", {})))
        elif kind == "image":
            parts.append("[image]")
    return "\n".join(part for part in parts if part)


def image_tokens(width: int, height: int) -> int:
    """Return the input tokens for a ``width`` × ``height`` image after the API's downscaling."""
    if width <= 0 or height <= 0:
        raise ValueError(f"image size must be positive, got {width}x{height}")
    scale = min(1.0, IMAGE_MAX_EDGE_PX / max(width, height))
    pixels = width * height * scale * scale
    if pixels / IMAGE_PIXELS_PER_TOKEN > IMAGE_MAX_TOKENS:
        pixels = IMAGE_MAX_TOKENS * IMAGE_PIXELS_PER_TOKEN
    return max(1, math.ceil(pixels / IMAGE_PIXELS_PER_TOKEN))


def image_size(data: bytes) -> tuple[int, int] | None:
    """Return (width, height) of PNG, GIF, JPEG or WebP bytes, or None for other or damaged data."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    return None


# Helpers -------------------------------------------------------------------------------------


def _count(text: str, model: str) -> int:
    from costkit.tokens import count_tokens

    return count_tokens(text, model) if text else 0


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _without_cache_control(block: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in block.items() if key != "cache_control"}


def _tool_choice_type(tool_choice: Any) -> str:
    if tool_choice is None:
        return "auto"
    if not isinstance(tool_choice, Mapping) or tool_choice.get("type") not in TOOL_SYSTEM_PROMPT_TOKENS:
        raise PromptError(
            f"tool_choice: invalid value {tool_choice!r}; use {{'type': 'auto'}}, {{'type': 'any'}}, "
            "{'type': 'none'} or {'type': 'tool', 'name': '<tool name>'}"
        )
    return str(tool_choice["type"])


def _breakpoint_ttl(block: Mapping[str, Any], path: str) -> CacheTTL | None:
    control = block.get("cache_control")
    if control is None:
        return None
    if not isinstance(control, Mapping) or control.get("type") != "ephemeral":
        raise PromptError(
            f"{path}.cache_control: invalid value {control!r}; use {{'type': 'ephemeral'}} "
            "or {'type': 'ephemeral', 'ttl': '1h'}"
        )
    ttl = control.get("ttl", "5m")
    if ttl not in TTL_SECONDS:
        raise PromptError(f"{path}.cache_control.ttl: Input should be '5m' or '1h', got {ttl!r}")
    return ttl  # type: ignore[no-any-return]


def _render_tool(tool: Any, path: str, model: str) -> PromptBlock:
    if not isinstance(tool, Mapping):
        raise PromptError(f"{path}: a tool must be an object with 'name' and 'input_schema', got {type(tool).__name__}")
    name = tool.get("name")
    if not isinstance(name, str) or not name:
        raise PromptError(f"{path}.name: Field required. Give each tool a name, e.g. 'get_weather'")
    is_custom = tool.get("type") in (None, "custom")
    if is_custom and not isinstance(tool.get("input_schema"), Mapping):
        raise PromptError(
            f"{path}.input_schema: Field required. Describe the tool's input as a JSON Schema object, "
            "e.g. {'type': 'object', 'properties': {}}"
        )
    definition = _canonical(_without_cache_control(tool))
    return PromptBlock("tools", definition, _count(definition, model), _breakpoint_ttl(tool, path), path)


def _render_message(message: Any, path: str, choice_marker: str, model: str) -> list[PromptBlock]:
    if not isinstance(message, Mapping):
        raise PromptError(f"{path}: a message must be an object with 'role' and 'content', got {type(message).__name__}")
    role = message.get("role")
    if role not in ("user", "assistant"):
        raise PromptError(
            f"{path}.role: Input should be 'user' or 'assistant', got {role!r}. "
            "Pass the system prompt in the top-level 'system' parameter instead"
        )
    content = message.get("content")
    if isinstance(content, str):
        content = [{"type": "text", "text": content}]
        if not content[0]["text"] and role == "user":
            raise PromptError(f"{path}.content: user messages must have non-empty content")
    elif not isinstance(content, list):
        raise PromptError(
            f"{path}.content: Input should be a string or a list of content blocks, got {type(content).__name__}"
        )
    if not content:
        raise PromptError(f"{path}.content: a message needs at least one content block")

    blocks: list[PromptBlock] = []
    for index, part in enumerate(content):
        block = _render_content_block(part, f"{path}.content.{index}", "messages", model)
        overhead = MESSAGE_OVERHEAD_TOKENS if index == 0 else 0
        fingerprint = f"{role}|{choice_marker}|{block.fingerprint}"
        blocks.append(PromptBlock("messages", fingerprint, block.tokens + overhead, block.breakpoint_ttl, block.path))
    return blocks


def _render_content_block(part: Any, path: str, segment: Segment, model: str) -> PromptBlock:
    if not isinstance(part, Mapping):
        raise PromptError(f"{path}: a content block must be an object with a 'type', got {type(part).__name__}")
    kind = part.get("type")
    if kind not in CONTENT_BLOCK_TYPES:
        raise PromptError(f"{path}.type: unknown content block type {kind!r}; use one of {', '.join(CONTENT_BLOCK_TYPES)}")
    ttl = _breakpoint_ttl(part, path)
    fingerprint = _canonical(_without_cache_control(part))
    return PromptBlock(segment, fingerprint, _content_tokens(part, path, model), ttl, path)


def _content_tokens(part: Mapping[str, Any], path: str, model: str) -> int:
    kind = part["type"]
    if kind == "text":
        text = part.get("text")
        if not isinstance(text, str):
            raise PromptError(f"{path}.text: Field required. A text block needs a string 'text'")
        if not text and part.get("cache_control") is not None:
            raise PromptError(f"{path}.cache_control: cannot be set for an empty text block; mark a non-empty block")
        return _count(text, model)
    if kind == "image":
        return _image_block_tokens(part, path)
    if kind == "document":
        return _document_tokens(part, path, model)
    if kind == "tool_use":
        for required in ("id", "name"):
            if not isinstance(part.get(required), str):
                raise PromptError(f"{path}.{required}: Field required in a tool_use block")
        return _count(_canonical({"name": part["name"], "input": part.get("input", {})}), model)
    if kind == "tool_result":
        if not isinstance(part.get("tool_use_id"), str):
            raise PromptError(f"{path}.tool_use_id: Field required. Pass the id of the tool_use block that this result is for")
        inner = part.get("content", "")
        if isinstance(inner, list):
            return sum(_content_tokens(item, f"{path}.content.{index}", model) for index, item in enumerate(inner))
        return _count(str(inner), model)
    if kind == "thinking":
        return _count(str(part.get("thinking", "")), model)
    return _count(str(part.get("data", "")), model)  # redacted_thinking


def _image_block_tokens(part: Mapping[str, Any], path: str) -> int:
    source = part.get("source")
    if not isinstance(source, Mapping) or source.get("type") not in ("base64", "url", "file"):
        raise PromptError(
            f"{path}.source: Field required. Use {{'type': 'base64', 'media_type': 'image/png', 'data': ...}}, "
            "{'type': 'url', 'url': ...} or {'type': 'file', 'file_id': ...}"
        )
    if source["type"] != "base64":
        return UNKNOWN_IMAGE_TOKENS
    data = _decode_base64(source.get("data"), f"{path}.source.data")
    size = image_size(data)
    return image_tokens(*size) if size else UNKNOWN_IMAGE_TOKENS


def _document_tokens(part: Mapping[str, Any], path: str, model: str) -> int:
    source = part.get("source")
    if not isinstance(source, Mapping):
        raise PromptError(f"{path}.source: Field required in a document block")
    if source.get("type") == "text":
        return _count(str(source.get("data", "")), model)
    if source.get("type") == "content":
        inner = source.get("content", [])
        if isinstance(inner, str):
            return _count(inner, model)
        return sum(_content_tokens(item, f"{path}.source.content.{index}", model) for index, item in enumerate(inner))
    if source.get("type") == "base64":
        data = _decode_base64(source.get("data"), f"{path}.source.data")
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
        return PDF_PAGE_TOKENS * max(1, pages)
    return PDF_PAGE_TOKENS


def _decode_base64(data: Any, path: str) -> bytes:
    if not isinstance(data, str):
        raise PromptError(f"{path}: Field required. Pass the file's bytes as a base64 string")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as error:
        raise PromptError(f"{path}: invalid base64 data ({error}); encode the bytes with base64.b64encode") from None


def _apply_top_level_cache_control(blocks: list[PromptBlock], control: Any) -> None:
    """Mark the last block that can carry a breakpoint, as the API does for top-level ``cache_control``."""
    if control is None:
        return
    ttl = _breakpoint_ttl({"cache_control": control}, "cache_control")
    for index in range(len(blocks) - 1, -1, -1):
        block = blocks[index]
        if block.path:  # the tool system prompt and reply priming are not request blocks
            if block.breakpoint_ttl is None:
                blocks[index] = PromptBlock(block.segment, block.fingerprint, block.tokens, ttl, block.path)
            return


def _check_breakpoints(blocks: Sequence[PromptBlock]) -> None:
    marked = [block for block in blocks if block.breakpoint_ttl is not None]
    if len(marked) > MAX_BREAKPOINTS:
        paths = ", ".join(block.path for block in marked)
        raise PromptError(
            f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. Found {len(marked)} "
            f"({paths}). Remove the breakpoints on the shortest or least reused prefixes"
        )
    seen_five_minutes: PromptBlock | None = None
    for block in marked:
        if block.breakpoint_ttl == "5m" and seen_five_minutes is None:
            seen_five_minutes = block
        elif block.breakpoint_ttl == "1h" and seen_five_minutes is not None:
            raise PromptError(
                f"{block.path}.cache_control.ttl: a '1h' breakpoint cannot follow the '5m' breakpoint at "
                f"{seen_five_minutes.path}. Put 1-hour breakpoints before 5-minute ones"
            )


def _cumulative_tokens(blocks: Sequence[PromptBlock]) -> list[int]:
    totals: list[int] = []
    running = 0
    for block in blocks:
        running += block.tokens
        totals.append(running)
    return totals


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    offset = 2
    while offset + 9 < len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        length = struct.unpack(">H", data[offset + 2 : offset + 4])[0]
        # Start-of-frame markers carry the size; C4, C8 and CC share the range but are other tables.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return width, height
        offset += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None
