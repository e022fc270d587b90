"""Editor features that work from the document alone (and the model code lens)."""

from __future__ import annotations

import json

from lsprotocol import types

from conftest import copy_model, model_node_count, uri_of
from helpers import apply_edits, cursor, hover_text, position_at, request, strip_comments


def doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


async def complete(client, uri: str, fixture: str) -> tuple[str, types.CompletionList]:
    text, pos = cursor(fixture)
    if uri in client.versions:
        client.replace(uri, text)
    else:
        client.open(uri, text)
    result = await request(
        client.text_document_completion_async(types.CompletionParams(doc(uri), pos)),
        "completion",
    )
    assert result is not None, f"no completion at {pos} in {text!r}"
    if isinstance(result, list):
        result = types.CompletionList(is_incomplete=False, items=result)
    return text, result


def item(result: types.CompletionList, label: str) -> types.CompletionItem:
    for i in result.items:
        if i.label == label:
            return i
    raise AssertionError(f"no item {label!r} in {[i.label for i in result.items]}")


def assert_edit(i: types.CompletionItem, text: str, start: int, end: int):
    """The item replaces text[start:end] (the string token) with the quoted label."""
    edit = i.text_edit
    assert isinstance(edit, types.TextEdit), f"{i.label}: expected a plain TextEdit, got {edit}"
    assert edit.new_text == f'"{i.label}"', edit
    assert i.filter_text == edit.new_text, (i.filter_text, edit.new_text)
    want = types.Range(start=position_at(text, start), end=position_at(text, end))
    assert edit.range == want, f"{i.label}: range {edit.range}, want {want} ({text[start:end]!r})"


async def test_completion_of_keys_in_a_broken_document(client, tmp_path):
    uri = uri_of(tmp_path / "quant_config.json")
    # Unclosed string, no closing braces: the user is typing.
    fixture = '{\n  "model_config": {\n    "activation": {\n      "per$0'
    text, result = await complete(client, uri, fixture)
    i = item(result, "per_channel")
    token = text.rindex('"per')
    assert_edit(i, text, token, len(text))
    # Only keys of `activation` are offered there.
    assert "qtype" not in [x.label for x in result.items]

    # Top level, inside a closed string in the middle of the document; present keys left out.
    fixture = '{\n  "mo$0del": 1,\n  "node_config": {}\n}'
    text, result = await complete(client, uri, fixture)
    labels = [x.label for x in result.items]
    assert "node_config" not in labels, labels
    i = item(result, "model_config")
    assert_edit(i, text, text.index('"model"'), text.index('"model"') + len('"model"'))


async def test_completion_of_values_in_a_broken_document(client, tmp_path):
    uri = uri_of(tmp_path / "quant_config.json")
    fixture = '{"model_config": {"activation": {"calibration_type": "m$0'
    text, result = await complete(client, uri, fixture)
    assert [x.label for x in result.items][:2] == ["kl", "max"], result.items
    assert_edit(item(result, "max"), text, text.rindex('"m'), len(text))

    fixture = '{"op_config": {"Conv": {"qtype": "$0"}}, "node_config": {'
    text, result = await complete(client, uri, fixture)
    labels = [x.label for x in result.items]
    assert labels == ["int8", "int16", "float16", "float32"], labels
    start = text.index('""')
    assert_edit(item(result, "int16"), text, start, start + 2)

    fixture = '{"model_config": {"activation": {"per_channel": $0'
    text, result = await complete(client, uri, fixture)
    assert [x.label for x in result.items] == ["true", "false"], result.items


async def test_hover_documents_keys(client, tmp_path):
    uri = uri_of(tmp_path / "quant_config.json")
    text, pos = cursor('{"model_config": {"activation": {"max_per$0centile": 1.0}}}')
    client.open(uri, text)
    hover = await request(client.text_document_hover_async(types.HoverParams(doc(uri), pos)))
    assert isinstance(hover.contents, types.MarkupContent), hover
    # Both profiles list markdown first.
    assert hover.contents.kind == types.MarkupKind.Markdown, hover.contents.kind
    value = hover_text(hover)
    assert "max_percentile" in value and "1.0" in value and "Default" in value, value
    assert hover.range is not None
    assert hover.range.start == position_at(text, text.index('"max_percentile"')), hover.range

    # A value: the qtype enum.
    text, pos = cursor('{"op_config": {"Conv": {"qtype": "int$016"}}}')
    client.replace(uri, text)
    value = hover_text(
        await request(client.text_document_hover_async(types.HoverParams(doc(uri), pos)))
    )
    assert "int16" in value, value


CONFIG = """// outline
{
  "model_config": {
    "all_node_type": "int16",
    /* calibration
       settings */
    "activation": {"calibration_type": ["kl", "max"]}
  },
  "op_config": {"Softmax": {"qtype": "float16"}},
  "node_config": {
    "/layer1/layer1.0/conv1/Conv": {"input1": "ec"} // weight with ec
  }
}
"""


async def test_document_symbols_outline(client, tmp_path):
    uri = uri_of(tmp_path / "quant_config.json")
    client.open(uri, CONFIG)
    symbols = await request(
        client.text_document_document_symbol_async(types.DocumentSymbolParams(doc(uri)))
    )
    # Both profiles announce hierarchicalDocumentSymbolSupport.
    assert all(isinstance(s, types.DocumentSymbol) for s in symbols), symbols
    assert [s.name for s in symbols] == ["model_config", "op_config", "node_config"]
    node = symbols[2].children[0]
    assert node.name == "/layer1/layer1.0/conv1/Conv"
    assert node.selection_range.start == position_at(
        CONFIG, CONFIG.index('"/layer1/layer1.0/conv1/Conv"')
    )
    model_config = symbols[0]
    assert model_config.range.start.line == 2 and model_config.range.end.line == 7
    assert [c.name for c in model_config.children] == ["all_node_type", "activation"]


async def test_folding_ranges(client, tmp_path):
    uri = uri_of(tmp_path / "quant_config.json")
    client.open(uri, CONFIG)
    folds = await request(
        client.text_document_folding_range_async(types.FoldingRangeParams(doc(uri)))
    )
    got = sorted((f.start_line, f.end_line, f.kind) for f in folds)
    assert got == [
        (1, 11, types.FoldingRangeKind.Region),
        (2, 6, types.FoldingRangeKind.Region),
        (4, 5, types.FoldingRangeKind.Comment),
        (9, 10, types.FoldingRangeKind.Region),
    ], got


async def test_formatting_keeps_comments(client, tmp_path):
    uri = uri_of(tmp_path / "quant_config.json")
    messy = (
        '// head\n{"model_config":{"all_node_type":"int16", // why\n'
        '/* keep */"activation":{"calibration_type":["kl","max"]}},\n'
        '"node_config":{"/conv1/Conv":{"input1":"ec"}}}'
    )
    client.open(uri, messy)
    options = types.FormattingOptions(tab_size=2, insert_spaces=True)
    edits = await request(client.text_document_formatting_async(
        types.DocumentFormattingParams(doc(uri), options)))
    assert edits, "no formatting edits for a messy document"
    formatted = apply_edits(messy, edits)
    for comment in ["// head", "// why", "/* keep */"]:
        assert comment in formatted, f"{comment!r} lost:\n{formatted}"
    assert json.loads(strip_comments(formatted)) == json.loads(strip_comments(messy))
    assert '\n  "model_config": {\n    "all_node_type": "int16", // why\n' in formatted, formatted
    # Formatting the formatted text changes nothing.
    client.replace(uri, formatted)
    again = await request(client.text_document_formatting_async(
        types.DocumentFormattingParams(doc(uri), options)))
    assert not again, again


async def test_code_lens_names_the_model(client, tmp_path):
    folder = tmp_path / "resnet18"
    copy_model("resnet18", folder)
    config = folder / "quant_config.json"
    config.write_text(CONFIG)
    uri = uri_of(config)
    client.open(uri, CONFIG)
    await client.diagnostics_for(uri, version=1)
    lenses = await request(client.text_document_code_lens_async(types.CodeLensParams(doc(uri))))
    assert lenses and lenses[0].command is not None, lenses
    title = lenses[0].command.title
    assert "optimized_float_model.onnx" in title, title
    assert f"{model_node_count('resnet18')} nodes" in title, title

    # Without a model, the lens says how to pair one.
    lone = tmp_path / "lone" / "quant_config.json"
    lone.parent.mkdir()
    lone.write_text(CONFIG)
    client.open(uri_of(lone), CONFIG)
    await client.diagnostics_for(uri_of(lone), version=1)
    lenses = await request(
        client.text_document_code_lens_async(types.CodeLensParams(doc(uri_of(lone))))
    )
    assert "no model paired" in lenses[0].command.title, lenses[0].command.title
