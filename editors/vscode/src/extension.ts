// VS Code glue for the qcls language server. All decisions that can be made without VS Code
// live in the pure modules (findServer, settings, explainMarkdown, modelLens) and are unit-tested.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  CodeLensRequest,
  CodeLensResolveRequest,
  DidChangeConfigurationNotification,
  LanguageClient,
  State,
  type DocumentSelector,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { renderExplainMarkdown } from "./explainMarkdown";
import { findServer, type FindServerResult } from "./findServer";
import { firstLineZeroLens, lensTitle, statusBarText } from "./modelLens";
import { toInitializationOptions, toServerSettings, type ServerSettings } from "./settings";

const EXPLAIN_SCHEME = "qcls-explain";

/**
 * Files named like a quant_config, plus every JSON/JSONC document: the server answers only for
 * documents whose top level has model_config/op_config/node_config/subgraph_config (docs/spec.md, "Documents and settings"),
 * so attaching to all JSON is how "JSON files that look like quant_configs" are served.
 */
export const DOCUMENT_SELECTOR: DocumentSelector = [
  { scheme: "file", pattern: "**/*quant_config*.json" },
  { scheme: "file", pattern: "**/*quant_config*.jsonc" },
  { scheme: "file", language: "json" },
  { scheme: "file", language: "jsonc" },
  { scheme: "untitled", language: "json" },
  { scheme: "untitled", language: "jsonc" },
  // hb_compile YAMLs: the server answers only for YAML whose top level has model_parameters,
  // input_parameters, calibration_parameters or compiler_parameters, so qcls sits beside any
  // YAML extension.
  { scheme: "file", language: "yaml" },
];

let client: LanguageClient | undefined;
let outputChannel: vscode.OutputChannel;
let statusItem: vscode.StatusBarItem;
let statusSeq = 0;
const explainDocs = new Map<string, string>();
const explainChanged = new vscode.EventEmitter<vscode.Uri>();

function isExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    if (process.platform === "win32") return true;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function locateServer(): FindServerResult {
  const cfg = vscode.workspace.getConfiguration("qcls");
  return findServer({
    configuredPath: cfg.get<string | null>("server.path"),
    env: process.env,
    platform: process.platform,
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    homeDir: os.homedir(),
    isExecutable,
  });
}

async function reportNotFound(result: FindServerResult & { found: false }): Promise<void> {
  outputChannel.appendLine(`${result.message}\nTried:\n  ${result.tried.join("\n  ") || "(no PATH entries)"}`);
  const choice = await vscode.window.showErrorMessage(result.message, "Open Settings");
  if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "qcls.server.path");
  }
}

function currentSettings(scope?: vscode.Uri): ServerSettings {
  const cfg = vscode.workspace.getConfiguration("qcls", scope);
  return toServerSettings({
    model: cfg.get("model"),
    locale: cfg.get("locale"),
    march: cfg.get("march"),
    toolchain: cfg.get("toolchain"),
    logLevel: cfg.get("logLevel"),
    diagnostics: cfg.get("diagnostics"),
  });
}

async function startClient(): Promise<void> {
  const found = locateServer();
  if (!found.found) {
    await reportNotFound(found);
    return;
  }
  outputChannel.appendLine(`Starting ${found.path} (from ${found.source})`);
  const serverOptions: ServerOptions = { command: found.path, args: [] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    initializationOptions: toInitializationOptions({
      ...currentSettings(),
    }),
    outputChannel,
    middleware: {
      workspace: {
        // Answer `workspace/configuration` for section "qcls" with the normalised settings
        // (no "auto" locale, no client-only keys), whatever VS Code stores.
        configuration: async (params, token, next) => {
          const result: unknown = await next(params, token);
          if (!Array.isArray(result)) return result as Awaited<ReturnType<typeof next>>;
          const defaults = result as unknown[];
          return params.items.map((item, i): unknown => {
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            if (item.section === "qcls") return currentSettings(scope);
            if (item.section === undefined || item.section === "") return { qcls: currentSettings(scope) };
            return defaults[i];
          });
        },
      },
    },
  };
  const c = new LanguageClient("qcls", "qcls (quant_config)", serverOptions, clientOptions);
  c.onDidChangeState((e) => {
    if (e.newState === State.Running) void updateStatus(vscode.window.activeTextEditor);
    else statusItem.hide();
  });
  client = c;
  try {
    await c.start();
  } catch (err) {
    outputChannel.appendLine(`qcls failed to start: ${String(err)}`);
    void vscode.window.showErrorMessage(`qcls failed to start: ${String(err)}`, "Open Settings").then((choice) => {
      if (choice === "Open Settings") void vscode.commands.executeCommand("workbench.action.openSettings", "qcls.server.path");
    });
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  statusItem.hide();
  if (c === undefined) return;
  try {
    if (c.needsStop()) await c.stop();
  } catch (err) {
    outputChannel.appendLine(`qcls did not stop cleanly: ${String(err)}`);
  }
}

async function restart(): Promise<void> {
  await stopClient();
  await startClient();
}

/**
 * The status bar shows the paired model: the server publishes a code lens on line 0 whose
 * command title names the model; we ask for the document's lenses and show the
 * title of the first one on line 0 (resolving it if the server resolves lenses lazily).
 * Refreshed when the active editor changes and when the server republishes diagnostics for it
 * (which it does after re-pairing or re-reading a model).
 */
async function updateStatus(editor: vscode.TextEditor | undefined): Promise<void> {
  const seq = ++statusSeq;
  const c = client;
  if (editor === undefined || c === undefined || !c.isRunning() || vscode.languages.match(DOCUMENT_SELECTOR, editor.document) === 0) {
    statusItem.hide();
    return;
  }
  const caps = c.initializeResult?.capabilities;
  if (caps?.codeLensProvider === undefined) {
    statusItem.hide();
    return;
  }
  try {
    const params = c.code2ProtocolConverter.asCodeLensParams(editor.document);
    const lenses = await c.sendRequest(CodeLensRequest.type, params);
    let lens: unknown = firstLineZeroLens(lenses);
    if (lens !== undefined && lensTitle(lens) === undefined && caps.codeLensProvider.resolveProvider) {
      lens = await c.sendRequest(CodeLensResolveRequest.type, lens as never);
    }
    if (seq !== statusSeq) return;
    const title = lensTitle(lens);
    if (title === undefined) {
      statusItem.hide();
      return;
    }
    statusItem.text = statusBarText(title);
    statusItem.tooltip = `qcls: ${title}\nClick to show the effective precision of every node.`;
    statusItem.command = "qcls.showEffectivePrecision";
    statusItem.show();
  } catch (err) {
    if (seq === statusSeq) statusItem.hide();
    outputChannel.appendLine(`code lens request failed: ${String(err)}`);
  }
}

/** The server's custom request that explains a document's current text. */
const EXPLAIN_METHOD = "qcls/explain";

/** The explain view of each config (by the config's URI), refreshed as the config changes. */
const explainViews = new Map<string, vscode.Uri>();

function explainViewUri(doc: vscode.TextDocument): vscode.Uri {
  const fileName = path.basename(doc.uri.path) || "untitled";
  return vscode.Uri.from({ scheme: EXPLAIN_SCHEME, path: `/${fileName}.precision.md`, query: doc.uri.toString() });
}

/**
 * Asks the server to explain `doc` as it is in the editor (unsaved edits included, paired as
 * its diagnostics are) and renders the answer into its explain view. Returns the problem the
 * server reported, if any.
 */
async function renderExplainView(doc: vscode.TextDocument): Promise<string | undefined> {
  const c = client;
  if (c === undefined || !c.isRunning()) return "the qcls server is not running";
  const result: unknown = await c.sendRequest(EXPLAIN_METHOD, {
    textDocument: { uri: c.code2ProtocolConverter.asUri(doc.uri) },
  });
  if (result === null || typeof result !== "object") return "this file is not a quant_config";
  const fileName = path.basename(doc.uri.path);
  const problem = (result as Record<string, unknown>)["problem"];
  const view = explainViewUri(doc);
  explainDocs.set(view.toString(), renderExplainMarkdown(result, { fileName }));
  explainChanged.fire(view);
  return typeof problem === "string" ? problem : undefined;
}

async function showEffectivePrecision(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showWarningMessage("qcls: open a quant_config file first.");
    return;
  }
  const doc = editor.document;
  let problem: string | undefined;
  try {
    problem = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: "qcls explain" },
      () => renderExplainView(doc),
    );
  } catch (err) {
    problem = String(err);
  }
  if (problem !== undefined) {
    outputChannel.appendLine(`qcls explain ${doc.uri.toString()}: ${problem}`);
    void vscode.window.showWarningMessage(`qcls: ${problem}`);
    if (!explainDocs.has(explainViewUri(doc).toString())) return;
  }
  const view = explainViewUri(doc);
  explainViews.set(doc.uri.toString(), view);
  // A read-only virtual document (no "save changes?" prompt when it is closed), previewed.
  try {
    await vscode.commands.executeCommand("markdown.showPreviewToSide", view);
  } catch {
    const md = await vscode.workspace.openTextDocument(view);
    await vscode.window.showTextDocument(md, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  outputChannel = vscode.window.createOutputChannel("qcls");
  statusItem = vscode.window.createStatusBarItem("qcls.model", vscode.StatusBarAlignment.Right, 100);
  statusItem.name = "qcls paired model";
  let diagTimer: ReturnType<typeof setTimeout> | undefined;
  context.subscriptions.push(
    outputChannel,
    statusItem,
    explainChanged,
    vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, {
      onDidChange: explainChanged.event,
      provideTextDocumentContent: (uri) => explainDocs.get(uri.toString()) ?? "",
    }),
    vscode.commands.registerCommand("qcls.restartServer", restart),
    vscode.commands.registerCommand("qcls.showEffectivePrecision", showEffectivePrecision),
    vscode.window.onDidChangeActiveTextEditor((e) => void updateStatus(e)),
    // The explain view follows the config as the user types: the server re-checks every
    // change and republishes its diagnostics, after which the explanation is asked again.
    vscode.languages.onDidChangeDiagnostics((e) => {
      for (const uri of e.uris) {
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        if (doc !== undefined && explainViews.has(uri.toString())) void renderExplainView(doc).catch(() => undefined);
      }
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme === EXPLAIN_SCHEME) {
        explainDocs.delete(doc.uri.toString());
        explainViews.delete(doc.uri.query);
      }
    }),
    vscode.languages.onDidChangeDiagnostics((e) => {
      const active = vscode.window.activeTextEditor;
      if (active === undefined || !e.uris.some((u) => u.toString() === active.document.uri.toString())) return;
      if (diagTimer !== undefined) clearTimeout(diagTimer);
      diagTimer = setTimeout(() => void updateStatus(vscode.window.activeTextEditor), 250);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("qcls.server.path")) {
        await restart();
      } else if (e.affectsConfiguration("qcls") && client?.isRunning()) {
        await client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { qcls: currentSettings() },
        });
      }
    }),
    { dispose: () => void stopClient() },
  );
  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
