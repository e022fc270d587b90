"""Small helpers shared by the black-box tests: positions, edits, requests, ONNX writing."""

from __future__ import annotations

import asyncio
import pathlib
import re

from lsprotocol import types

from conftest import TIMEOUT


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def position_at(text: str, offset: int, encoding: str = "utf-16") -> types.Position:
    """The LSP position of a character offset in `text`."""
    before = text[:offset]
    line = before.count("\n")
    col_text = before[before.rfind("\n") + 1 :]
    if encoding == "utf-8":
        character = len(col_text.encode("utf-8"))
    elif encoding == "utf-32":
        character = len(col_text)
    else:
        character = utf16_len(col_text)
    return types.Position(line=line, character=character)


def range_of(text: str, needle: str, nth: int = 0, encoding: str = "utf-16") -> types.Range:
    """The range of the `nth` occurrence of `needle` in `text`."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return types.Range(
        start=position_at(text, start, encoding),
        end=position_at(text, start + len(needle), encoding),
    )


def cursor(fixture: str) -> tuple[str, types.Position]:
    """Removes the `$0` marker and returns the text and the marker's position."""
    offset = fixture.index("$0")
    text = fixture.replace("$0", "", 1)
    return text, position_at(text, offset)


def offset_of(text: str, pos: types.Position) -> int:
    lines = text.split("\n")
    offset = sum(len(line) + 1 for line in lines[: pos.line])
    line = lines[pos.line] if pos.line < len(lines) else ""
    units = 0
    for i, ch in enumerate(line):
        if units >= pos.character:
            return offset + i
        units += utf16_len(ch)
    return offset + len(line)


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Applies non-overlapping LSP edits (UTF-16 positions) to `text`."""
    spans = sorted(
        ((offset_of(text, e.range.start), offset_of(text, e.range.end), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def strip_comments(text: str) -> str:
    """What the toolchain does before json.loads (good enough for our test documents)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


async def request(coro, what: str = "request"):
    """Awaits a request with a bound, so a server that never answers fails the test."""
    try:
        return await asyncio.wait_for(coro, TIMEOUT)
    except asyncio.TimeoutError:
        raise AssertionError(f"{what}: no response within {TIMEOUT}s") from None


def codes(diagnostics) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


def hover_text(hover: types.Hover | None) -> str:
    assert hover is not None, "expected a hover, got null"
    c = hover.contents
    if isinstance(c, types.MarkupContent):
        return c.value
    if isinstance(c, list):
        return "\n".join(x if isinstance(x, str) else x.value for x in c)
    return c if isinstance(c, str) else c.value


# --------------------------------------------------------------------------------------------
# A minimal ONNX writer (protobuf by hand) for a synthetic chain of nodes: only the graph.


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _str(number: int, s: str) -> bytes:
    return _field(number, s.encode())


def write_chain_model(path: pathlib.Path, nodes: int) -> list[str]:
    """Writes an ONNX model of `nodes` nodes (Conv and Relu alternating, named
    `/block{i}/Conv` and `/block{i}/Relu`) and returns the node names."""
    names = []
    graph = bytearray()
    prev = "input"
    for i in range(nodes):
        op = "Conv" if i % 2 == 0 else "Relu"
        name = f"/block{i // 2}/{op}"
        out = f"t{i}"
        inputs = [prev, f"w{i}"] if op == "Conv" else [prev]
        node = b"".join(_str(1, x) for x in inputs) + _str(2, out) + _str(3, name) + _str(4, op)
        graph += _field(1, node)
        names.append(name)
        prev = out
    graph += _str(2, "chain")
    graph += _field(11, _str(1, "input"))
    graph += _field(12, _str(1, prev))
    model = (
        _varint(1 << 3 | 0) + _varint(8)  # ir_version
        + _field(7, bytes(graph))
        + _field(8, _str(1, "") + _varint(2 << 3 | 0) + _varint(17))  # opset_import
    )
    path.write_bytes(model)
    return names
