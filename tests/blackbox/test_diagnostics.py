"""Pushed diagnostics on real models: codes, ranges, tags, versions, settings, model reloads."""

from __future__ import annotations

import pathlib
import shutil

import pytest
from lsprotocol import types

from conftest import copy_model, model_dir, model_node_count, uri_of
from helpers import codes, range_of, request

# Each case: a model, a config with mistakes, and what qcls must say: (code, token, nth
# occurrence of the token, severity). The token's range (quotes included) is the expected range.
CASES = {
    "resnet18": (
        """// resnet18 with mistakes
{
  "model_config": {
    "activation": {"calibration_type": "default", "max_percentile": 1}
  },
  "op_config": {"Softmax": {"qtype": "float16"}},
  "node_config": {
    "/conv1/Conv": {"input0": "ec"},
    "/relu/Relu": {"qtype": "int32"},
    "/layer9/Conv": {"qtype": "int16"},
    "/maxpool/MaxPool": {"qtype": "int8"}
  }
}
""",
        [
            ("invalid-value", '"default"', 0, types.DiagnosticSeverity.Error),
            ("wrong-type", "1", 1, types.DiagnosticSeverity.Error),
            ("op-type-absent", '"Softmax"', 0, types.DiagnosticSeverity.Hint),
            ("ec-wrong-input", '"ec"', 0, types.DiagnosticSeverity.Warning),
            ("invalid-value", '"int32"', 0, types.DiagnosticSeverity.Error),
            ("unknown-node", '"/layer9/Conv"', 0, types.DiagnosticSeverity.Warning),
            ("no-effect", '"/maxpool/MaxPool"', 0, types.DiagnosticSeverity.Hint),
        ],
    ),
    "vit_tiny": (
        """{
  "op_config": {"softmax": {"qtype": "int16"}},
  "node_config": {
    "/encoder/layers/encoder_layer_0/self_attention/Softmax": {"input1": "ec"},
    "/encoder/layers/encoder_layer_0/self_attention/MatMul": {"input1": "ec", "InputType": "int16"}
  }
}
""",
        [
            ("unknown-op-type", '"softmax"', 0, types.DiagnosticSeverity.Warning),
            ("ec-unsupported-op", '"ec"', 0, types.DiagnosticSeverity.Warning),
            ("legacy-key", '"InputType"', 0, types.DiagnosticSeverity.Warning),
        ],
    ),
    "bev_unet": (
        """{
  # templated comment
  "node_config": {
    "/up2/Resize": {"input1": "ec"},
    "/up1/ConvTranspose": {"input1": "ec"},
    "/GridSample": {"qtype": "ec"}
  },
  "model_config": {"activation": {"num_bin": 64, "calibration_type": "kl"}}
}
""",
        [
            ("hash-comment", "# templated comment", 0, types.DiagnosticSeverity.Error),
            ("ec-wrong-input", '"ec"', 0, types.DiagnosticSeverity.Warning),
            ("ec-misplaced", '"ec"', 2, types.DiagnosticSeverity.Error),
            ("out-of-range", "64", 0, types.DiagnosticSeverity.Warning),
        ],
    ),
    "mobilenet_v2": (
        """{
  "op_config": {"Clip": {"qtype": "int16"}, "Softmax": {"qtype": "int16"}},
  "node_config": {
    "/features/features.0/features.0.0/Conv": {"input1": "ec"},
    "/features/features.0/features.0.2/Clip": {"input1": "ec"},
    "/features/features.0/features.0.0/conv": {"qtype": "int16"}
  }
}
""",
        [
            ("op-type-absent", '"Softmax"', 0, types.DiagnosticSeverity.Hint),
            ("ec-unsupported-op", '"ec"', 1, types.DiagnosticSeverity.Warning),
            (
                "unknown-node",
                '"/features/features.0/features.0.0/conv"',
                0,
                types.DiagnosticSeverity.Warning,
            ),
        ],
    ),
}


# Settings that change nothing carry the `Unnecessary` tag (editors fade them out).
UNNECESSARY = {"no-effect", "op-type-absent", "ec-unsupported-op"}


def setup_config(tmp_path: pathlib.Path, model: str, text: str) -> tuple[pathlib.Path, str]:
    folder = tmp_path / model
    copy_model(model, folder)
    config = folder / "quant_config.json"
    config.write_text(text)
    return config, uri_of(config)


def summary(diagnostics) -> list[tuple]:
    return sorted(
        (str(d.code), d.range.start.line, d.range.start.character, d.range.end.line,
         d.range.end.character, d.severity)
        for d in diagnostics
    )


@pytest.mark.parametrize("model", list(CASES))
async def test_mistakes_on_a_real_model(client, tmp_path, model):
    text, expected = CASES[model]
    _, uri = setup_config(tmp_path, model, text)
    client.open(uri, text)
    published = await client.diagnostics_for(uri, version=1)
    want = summary(
        types.Diagnostic(
            range=range_of(text, token, nth), message="", code=code, severity=severity
        )
        for code, token, nth, severity in expected
    )
    assert summary(published.diagnostics) == want, "\n".join(
        f"{d.code} {d.range} {d.message}" for d in published.diagnostics
    )
    for d in published.diagnostics:
        assert d.source == "qcls", d
        assert d.message.strip(), d
        unnecessary = types.DiagnosticTag.Unnecessary in (d.tags or [])
        assert unnecessary == (d.code in UNNECESSARY), (
            f"{d.code}: tags {d.tags}"
        )
    if model == "vit_tiny":
        (typo,) = [d for d in published.diagnostics if d.code == "unknown-op-type"]
        assert 'did you mean "Softmax"' in typo.message, typo.message


async def test_other_json_documents_get_nothing(client, tmp_path):
    other = uri_of(tmp_path / "package.json")
    client.open(other, '{"name": "x", "version": 1,}')
    # A served document opened after it, so its diagnostics mark that the server has moved on.
    served = uri_of(tmp_path / "quant_config.json")
    client.open(served, '{"model_config": {"all_node_type": "int32"}}')
    await client.diagnostics_for(served, version=1)
    await client.no_diagnostics_for(other)
    pos = types.Position(line=0, character=3)
    doc = types.TextDocumentIdentifier(uri=other)
    hover = await request(client.text_document_hover_async(types.HoverParams(doc, pos)))
    assert hover is None, hover
    completion = await request(
        client.text_document_completion_async(types.CompletionParams(doc, pos))
    )
    items = [] if completion is None else (
        completion.items if isinstance(completion, types.CompletionList) else completion
    )
    assert items == [], items
    symbols = await request(
        client.text_document_document_symbol_async(types.DocumentSymbolParams(doc))
    )
    assert not symbols, symbols


async def test_incremental_edits_fix_diagnostics(client, tmp_path):
    text = CASES["resnet18"][0]
    _, uri = setup_config(tmp_path, "resnet18", text)
    client.open(uri, text, version=10)
    first = await client.diagnostics_for(uri, version=10)
    assert "invalid-value" in codes(first.diagnostics)

    # Replace int32 by int16 (one incremental change), and delete the unknown node's line.
    start = len(client.published)
    fix_qtype = types.TextDocumentContentChangePartial(
        range=range_of(text, "int32"), text="int16"
    )
    line = range_of(text, '"/layer9/Conv"').start.line
    drop_line = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(line, 0), types.Position(line + 1, 0)), text=""
    )
    version = client.change(uri, [fix_qtype, drop_line])
    assert version == 11
    after = await client.diagnostics_for(uri, version=11, after=start)
    got = codes(after.diagnostics)
    assert got.count("invalid-value") == 1, got  # only "default" is left
    assert "unknown-node" not in got, got
    assert "ec-wrong-input" in got, got
    # And a syntax error typed in, then fixed, with versions following along.
    v = client.change(uri, [types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(1, 1), types.Position(1, 1)), text=",")])
    broken = await client.diagnostics_for(uri, version=v)
    assert "syntax-error" in codes(broken.diagnostics), codes(broken.diagnostics)
    v = client.change(uri, [types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(1, 1), types.Position(1, 2)), text="")])
    fixed = await client.diagnostics_for(uri, version=v)
    assert codes(fixed.diagnostics) == got


@pytest.mark.parametrize("wrapped", [True, False], ids=["qcls-wrapped", "inner"])
async def test_initialization_options_switch_a_code_off(launcher, tmp_path, wrapped):
    settings = {"diagnostics": {"unknown-node": "off", "ec-wrong-input": "error"}}
    client = await launcher.start(init_options={"qcls": settings} if wrapped else settings)
    text = CASES["resnet18"][0]
    _, uri = setup_config(tmp_path, "resnet18", text)
    client.open(uri, text)
    published = await client.diagnostics_for(uri, version=1)
    got = {str(d.code): d.severity for d in published.diagnostics}
    assert "unknown-node" not in got, got
    assert got.get("ec-wrong-input") == types.DiagnosticSeverity.Error, got
    assert "invalid-value" in got, got


async def test_workspace_configuration_switches_a_code_off(launcher, tmp_path):
    if launcher.profile != "vscode":
        pytest.skip("Neovim 0.7's profile does not announce workspace/configuration")
    client = await launcher.start(configuration={"diagnostics": {"unknown-node": "off"}})
    text = CASES["resnet18"][0]
    _, uri = setup_config(tmp_path, "resnet18", text)
    client.open(uri, text)
    published = await client.diagnostics_for(
        uri, pred=lambda p: "unknown-node" not in codes(p.diagnostics)
    )
    assert "invalid-value" in codes(published.diagnostics)


async def test_model_rewritten_on_disk_is_picked_up(client, tmp_path, profile):
    if model_dir("vit_tiny") is None:
        pytest.skip("vit_tiny is not available")
    text = '{\n  "node_config": {\n    "/conv1/Conv": {"qtype": "int16"}\n  }\n}\n'
    config, uri = setup_config(tmp_path, "resnet18", text)
    client.open(uri, text)
    first = await client.diagnostics_for(uri, version=1)
    assert codes(first.diagnostics) == [], first
    lens = await request(client.text_document_code_lens_async(
        types.CodeLensParams(types.TextDocumentIdentifier(uri))))
    assert f"{model_node_count('resnet18')} nodes" in lens[0].command.title, lens

    # hb_compile runs again on another model: the file is rewritten in place.
    model = config.parent / "optimized_float_model.onnx"
    shutil.copyfile(model_dir("vit_tiny") / "optimized_float_model.onnx", model)
    start = len(client.published)
    if profile == "vscode":
        # VS Code had watchers registered, so it tells the server; no edit needed.
        await client.wait_for(
            "a didChangeWatchedFiles registration",
            lambda: any(r.method == "workspace/didChangeWatchedFiles"
                        for r in client.registrations),
        )
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri_of(model), type=types.FileChangeType.Changed)]))
    else:
        # Neovim 0.7 watches nothing: the next analysis notices the new mtime/length.
        assert not client.registrations, client.registrations
        client.replace(uri, text)
    after = await client.diagnostics_for(
        uri, after=start, pred=lambda p: bool(p.diagnostics))
    assert codes(after.diagnostics) == ["unknown-node"], after
    lens = await request(client.text_document_code_lens_async(
        types.CodeLensParams(types.TextDocumentIdentifier(uri))))
    assert f"{model_node_count('vit_tiny')} nodes" in lens[0].command.title, lens
