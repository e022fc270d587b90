"""initialize (capabilities, serverInfo, position encoding), shutdown and exit."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from conftest import TIMEOUT, capabilities_of, uri_of
from helpers import codes, range_of


async def test_initialize_announces_server_and_capabilities(client, profile):
    result = client.init_result
    assert result is not None
    assert result.server_info is not None and result.server_info.name == "qcls", result.server_info
    assert result.server_info.version, "serverInfo.version is empty"
    caps = result.capabilities
    # Neither VS Code 1.65 nor Neovim 0.7 offers general.positionEncodings: the LSP default.
    assert caps.position_encoding == types.PositionEncodingKind.Utf16, caps.position_encoding
    sync = caps.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions), sync
    assert sync.open_close is True
    assert sync.change == types.TextDocumentSyncKind.Incremental
    assert caps.completion_provider is not None
    assert '"' in (caps.completion_provider.trigger_characters or [])
    for name in [
        "hover_provider",
        "document_symbol_provider",
        "folding_range_provider",
        "document_formatting_provider",
        "code_lens_provider",
    ]:
        assert getattr(caps, name), f"{name} not announced under {profile}"
    # Neither profile pulls diagnostics, so the server must push them.
    assert caps.diagnostic_provider is None


async def test_utf8_position_encoding_when_offered(launcher, tmp_path):
    caps = capabilities_of(launcher.profile)
    caps.general = types.GeneralClientCapabilities(
        position_encodings=[types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf8]
    )
    client = await launcher.start(capabilities=caps)
    assert client.init_result.capabilities.position_encoding == types.PositionEncodingKind.Utf8

    # A diagnostic after non-ASCII text is placed in UTF-8 code units.
    text = '{\n  // réglage 😀\n  "model_config": {"all_node_type": "int32"} // 😀 "int32"\n}\n'
    uri = uri_of(tmp_path / "quant_config.json")
    client.open(uri, text)
    published = await client.diagnostics_for(uri, version=1)
    assert codes(published.diagnostics) == ["invalid-value"], published
    assert published.diagnostics[0].range == range_of(text, '"int32"', encoding="utf-8")


async def test_shutdown_then_exit_ends_the_process_with_status_0(client):
    assert await asyncio.wait_for(client.shutdown_async(None), TIMEOUT) is None
    client.exit(None)
    status = await asyncio.wait_for(client._server.wait(), TIMEOUT)
    assert status == 0, f"qcls exited with {status} after shutdown + exit"


async def test_exit_without_shutdown_is_status_1(client):
    client.exit(None)
    status = await asyncio.wait_for(client._server.wait(), TIMEOUT)
    assert status == 1, f"qcls exited with {status} on exit without shutdown"
