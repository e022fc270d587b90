"""Black-box tests of the built `qcls` binary, driven over stdio by pytest-lsp (pygls).

Every test that takes the `profile` fixture runs twice: with the client capabilities that
pytest-lsp recorded from VS Code 1.65 and from Neovim 0.7. The two differ where it matters
to qcls: VS Code registers file watchers and answers `workspace/configuration`; Neovim 0.7
does neither, so the server must notice a rewritten model by its mtime.

The binary is `$QCLS`, else `$CARGO_TARGET_DIR/release/qcls`, else `target/release/qcls`.
"""

from __future__ import annotations

import asyncio
import copy
import os
import pathlib
import shutil
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features
from pygls.protocol import default_converter

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURE_MODELS = REPO / "tests" / "fixtures" / "models"
# mobilenet_v2 (14 MB) is not copied into the repo; use the shared folder when present.
SHARED_MODEL_DIRS = [REPO.parent / "shared" / "models"]

# How long to wait for a notification the server owes us. Generous: CI machines are slow.
TIMEOUT = 10.0

PROFILES = {
    "vscode": "visual-studio-code@v1.65.2",
    "neovim-0.7": "neovim@v0.7.0",
}


def qcls_binary() -> pathlib.Path:
    if os.environ.get("QCLS"):
        return pathlib.Path(os.environ["QCLS"]).resolve()
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return (target / "release" / "qcls").resolve()


def pytest_configure(config):
    binary = qcls_binary()
    if not binary.is_file():
        raise pytest.UsageError(
            f"qcls binary not found at {binary}: run `cargo build --release` or set $QCLS"
        )


def model_dir(name: str) -> pathlib.Path | None:
    """The folder of a real model: the repo's fixture copy, else the shared folder."""
    for base in [FIXTURE_MODELS, *SHARED_MODEL_DIRS]:
        if (base / name / "optimized_float_model.onnx").is_file():
            return base / name
    return None


def model_node_count(name: str) -> int:
    d = model_dir(name)
    assert d is not None
    return sum(1 for line in (d / "nodes.tsv").read_text().splitlines() if line)


def copy_model(name: str, dest: pathlib.Path) -> pathlib.Path:
    """Copies a real model next to a config, as hb_compile leaves it; skips when absent."""
    src = model_dir(name)
    if src is None:
        pytest.skip(f"model {name} is not available (neither tests/fixtures nor ../shared)")
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / "optimized_float_model.onnx"
    shutil.copyfile(src / "optimized_float_model.onnx", target)
    return target


# --------------------------------------------------------------------------------------------
# The client


@dataclass
class Published:
    uri: str
    version: int | None
    diagnostics: list[types.Diagnostic]


class QclsClient(LanguageClient):
    """pytest-lsp's client plus a log of every publishDiagnostics (with its version, which
    pytest-lsp's default handler drops) and of capability registrations."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.published: list[Published] = []
        self.registrations: list[types.Registration] = []
        self.changed = asyncio.Event()
        self.versions: dict[str, int] = {}
        self.init_result: types.InitializeResult | None = None

    # -- notifications -----------------------------------------------------------------------

    def _notify_changed(self):
        self.changed.set()

    async def wait_for(self, what: str, pred: Callable[[], Any], timeout: float = TIMEOUT):
        """Waits (bounded) until `pred()` is truthy; re-checked after every notification."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = pred()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def diagnostics_for(
        self,
        uri: str,
        version: int | None = None,
        pred: Callable[[Published], bool] | None = None,
        after: int = 0,
    ) -> Published:
        """The first publishDiagnostics for `uri` (from index `after` of the log) with the given
        version (when not None) satisfying `pred`."""

        def find():
            for p in self.published[after:]:
                if p.uri != uri:
                    continue
                if version is not None and p.version != version:
                    continue
                if pred is not None and not pred(p):
                    continue
                return p
            return None

        seen = lambda: [(p.version, [d.code for d in p.diagnostics]) for p in self.published if p.uri == uri]  # noqa: E731
        try:
            return await self.wait_for(f"diagnostics of {uri} (version {version})", find)
        except AssertionError as e:
            raise AssertionError(f"{e}; published so far for it: {seen()}") from None

    async def no_diagnostics_for(self, uri: str, within: float = 0.5):
        """Asserts that nothing is published for `uri` within a bounded time."""
        try:
            await self.wait_for("", lambda: any(p.uri == uri for p in self.published), within)
        except AssertionError:
            return
        got = [p for p in self.published if p.uri == uri]
        raise AssertionError(f"expected no diagnostics for {uri}, got {got}")

    # -- documents -----------------------------------------------------------------------------

    def open(self, uri: str, text: str, version: int = 1, language: str = "json"):
        self.versions[uri] = version
        self.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=language, version=version, text=text
                )
            )
        )

    def replace(self, uri: str, text: str) -> int:
        """A full-text change; returns the new version."""
        return self.change(uri, [types.TextDocumentContentChangeWholeDocument(text=text)])

    def change(self, uri: str, changes: list) -> int:
        version = self.versions[uri] + 1
        self.versions[uri] = version
        self.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=changes,
            )
        )
        return version


def _publish(client: QclsClient, params: types.PublishDiagnosticsParams):
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(Published(params.uri, params.version, list(params.diagnostics)))
    client._notify_changed()


def _register(client: QclsClient, params: types.RegistrationParams):
    client.registrations.extend(params.registrations)
    client._notify_changed()
    return None


def _unregister(client: QclsClient, params):
    return None


def _show_message(client: QclsClient, params):
    client.messages.append(params)
    client._notify_changed()


def make_client() -> QclsClient:
    client = QclsClient(converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _publish
    features[types.CLIENT_REGISTER_CAPABILITY] = _register
    features[types.CLIENT_UNREGISTER_CAPABILITY] = _unregister
    features[types.WINDOW_SHOW_MESSAGE] = _show_message
    register_lsp_features(client, features)
    return client


# --------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(params=list(PROFILES), ids=list(PROFILES))
def profile(request) -> str:
    return request.param


def capabilities_of(profile: str) -> types.ClientCapabilities:
    return copy.deepcopy(client_capabilities(PROFILES[profile]))


def uri_of(path: pathlib.Path) -> str:
    return path.resolve().as_uri()


@dataclass
class Launcher:
    profile: str
    workspace: pathlib.Path
    clients: list[QclsClient] = field(default_factory=list)

    async def start(
        self,
        init_options: Any = None,
        capabilities: types.ClientCapabilities | None = None,
        configuration: dict | None = None,
    ) -> QclsClient:
        config = ClientServerConfig(server_command=[str(qcls_binary())], client_factory=make_client)
        client: QclsClient = await config.start()  # type: ignore[assignment]
        self.clients.append(client)
        if configuration is not None:
            client.set_configuration(configuration, section="qcls")
        caps = capabilities or capabilities_of(self.profile)
        client.init_result = await asyncio.wait_for(
            client.initialize_session(
                types.InitializeParams(
                    capabilities=caps,
                    client_info=types.ClientInfo(name=f"pytest-lsp ({self.profile})"),
                    root_uri=uri_of(self.workspace),
                    workspace_folders=[
                        types.WorkspaceFolder(uri=uri_of(self.workspace), name="ws")
                    ],
                    initialization_options=init_options,
                )
            ),
            TIMEOUT,
        )
        return client

    async def close_all(self):
        for client in self.clients:
            server = client._server
            try:
                if server is not None and server.returncode is None:
                    await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
            except Exception as e:  # report, then make sure the process is gone
                print(f"shutdown failed: {e!r}", file=sys.stderr)
            if server is not None and server.returncode is None:
                server.kill()
            await asyncio.wait_for(client.stop(), TIMEOUT)


@pytest_asyncio.fixture
async def launcher(profile, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    launch = Launcher(profile=profile, workspace=ws)
    yield launch
    await launch.close_all()


@pytest_asyncio.fixture
async def client(launcher) -> QclsClient:
    """A server initialized with the profile's capabilities and no options."""
    return await launcher.start()
