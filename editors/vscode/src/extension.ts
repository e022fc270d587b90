// VS Code glue for the qcls language server. All decisions that can be made without VS Code
// live in the pure modules (findServer, bundled, languageMode, settings, explainMarkdown,
// modelLens) and are unit-tested.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  CodeLensRequest,
  CodeLensResolveRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  LanguageClient,
  State,
  type DocumentSelector,
  type LanguageClientOptions,
  type ServerCapabilities,
  type ServerOptions,
} from "vscode-languageclient/node";
import { bundledServerBase, ensureExecutable } from "./bundled";
import { renderExplainMarkdown } from "./explainMarkdown";
import { findServer, type FindServerResult } from "./findServer";
import { JSON_LANGUAGES, QUANT_CONFIG_LANGUAGE, languageToSwitchTo } from "./languageMode";
import { firstLineZeroLens, lensTitle, statusBarText } from "./modelLens";
import { entryLine, entryText, keyColumns, panelTitle, readMapAnswer, readNodeMessage, type Insertion, type NodeMessage } from "./precisionMap";
import { toInitializationOptions, toServerSettings, type ServerSettings } from "./settings";

const EXPLAIN_SCHEME = "qcls-explain";

/** The server's custom request that explains a document's current text. */
const EXPLAIN_METHOD = "qcls/explain";

/** The server's custom request that draws a document's precision map. */
const PRECISION_MAP_METHOD = "qcls/precisionMap";

/**
 * The documents qcls's features (diagnostics, completion, hover, formatting, outline, ...) are
 * registered for: the quant-config language (files named *quant_config*.json(c), and JSON
 * documents the server recognises by content, see languageMode.ts), and YAML, where the server
 * answers only for hb_compile configs (a top-level model_parameters, input_parameters,
 * calibration_parameters or compiler_parameters), so qcls sits beside any YAML extension.
 */
export const DOCUMENT_SELECTOR: DocumentSelector = [
  { scheme: "file", language: QUANT_CONFIG_LANGUAGE },
  { scheme: "untitled", language: QUANT_CONFIG_LANGUAGE },
  { scheme: "file", language: "yaml" },
];

/**
 * The documents whose text is sent to the server: those above plus every JSON/JSONC document,
 * because the server decides by content which JSON it serves (a top-level model_config,
 * op_config, node_config or subgraph_config; docs/spec.md, "Documents and settings"). No
 * feature is registered for plain JSON, so VS Code's JSON Language Features stay its only
 * formatter and outline; a JSON document qcls serves is switched to the quant-config language.
 */
export const SYNC_SELECTOR: DocumentSelector = [
  ...DOCUMENT_SELECTOR,
  ...JSON_LANGUAGES.flatMap((language) => [
    { scheme: "file", language },
    { scheme: "untitled", language },
  ]),
];

let client: LanguageClient | undefined;
let extensionPath: string | undefined;
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
  let bundledPath: string | undefined;
  if (extensionPath !== undefined) {
    bundledPath = bundledServerBase(extensionPath);
    const bundled = process.platform === "win32" ? `${bundledPath}.exe` : bundledPath;
    const state = ensureExecutable(bundled);
    if (state === "made-executable") outputChannel.appendLine(`Made the bundled server executable: ${bundled}`);
    else if (typeof state === "object") outputChannel.appendLine(`The bundled server ${bundled} is not executable and chmod failed: ${state.failed}`);
  }
  return findServer({
    bundledPath,
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
      // Once the server has a JSON document, ask it whether it serves it (languageMode.ts).
      didOpen: async (doc, next) => {
        await next(doc);
        void matchLanguageMode(doc);
      },
      didChange: async (event, next) => {
        await next(event);
        if (JSON_LANGUAGES.includes(event.document.languageId)) scheduleLanguageCheck(event.document);
      },
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
  syncJsonDocuments(c);
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

/**
 * Sends the text of every JSON document (SYNC_SELECTOR) to the server, while its features stay
 * registered for DOCUMENT_SELECTOR only: the client registers every feature for
 * `documentSelector`, so the three document-sync features are given the wider selector.
 */
function syncJsonDocuments(c: LanguageClient): void {
  type Initialize = (capabilities: ServerCapabilities, documentSelector: DocumentSelector | undefined) => void;
  const features: { initialize: Initialize }[] = [
    c.getFeature(DidOpenTextDocumentNotification.method),
    c.getFeature(DidChangeTextDocumentNotification.method),
    c.getFeature(DidCloseTextDocumentNotification.method),
  ];
  for (const feature of features) {
    const initialize = feature.initialize.bind(feature);
    feature.initialize = (capabilities) => initialize(capabilities, SYNC_SELECTOR);
  }
}

/** Documents whose language mode the extension switched, while they stay open. */
const switchedLanguage = new Set<string>();
const languageChecks = new Map<string, ReturnType<typeof setTimeout>>();

/** Gives `doc` the language mode that matches whether qcls serves it (languageMode.ts). */
async function matchLanguageMode(doc: vscode.TextDocument): Promise<void> {
  const c = client;
  const key = doc.uri.toString();
  if (c === undefined || !c.isRunning() || switchedLanguage.has(key)) return;
  if (doc.languageId !== QUANT_CONFIG_LANGUAGE && !JSON_LANGUAGES.includes(doc.languageId)) return;
  let served: boolean;
  try {
    // `null` for documents qcls does not serve; onlyOverridden keeps the answer short.
    const result: unknown = await c.sendRequest(EXPLAIN_METHOD, {
      textDocument: { uri: c.code2ProtocolConverter.asUri(doc.uri) },
      onlyOverridden: true,
    });
    served = result !== null && result !== undefined;
  } catch (err) {
    outputChannel.appendLine(`Could not ask whether qcls serves ${key}: ${String(err)}`);
    return;
  }
  if (doc.isClosed) return;
  const target = languageToSwitchTo(doc.languageId, served, switchedLanguage.has(key));
  if (target === undefined) return;
  outputChannel.appendLine(`${key} is ${served ? "" : "not "}a document qcls serves: language mode ${doc.languageId} -> ${target}`);
  switchedLanguage.add(key);
  try {
    await vscode.languages.setTextDocumentLanguage(doc, target);
  } catch (err) {
    switchedLanguage.delete(key);
    outputChannel.appendLine(`Could not change the language mode of ${key}: ${String(err)}`);
  }
}

/** A JSON document being edited may become a quant_config: ask again once typing pauses. */
function scheduleLanguageCheck(doc: vscode.TextDocument): void {
  const key = doc.uri.toString();
  if (switchedLanguage.has(key)) return;
  clearTimeout(languageChecks.get(key));
  languageChecks.set(
    key,
    setTimeout(() => {
      languageChecks.delete(key);
      void matchLanguageMode(doc);
    }, 500),
  );
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

/** An open precision map: its webview and what the last answer said about new entries. */
interface MapView {
  panel: vscode.WebviewPanel;
  doc: vscode.Uri;
  qtypes: string[];
  insert?: Insertion;
  /** A request is on its way; `again` asks for one more when it is back. */
  busy: boolean;
  again: boolean;
}
/** The precision map of each config (by the config's URI). */
const mapViews = new Map<string, MapView>();

async function requestMap(doc: vscode.TextDocument, html: boolean): Promise<ReturnType<typeof readMapAnswer>> {
  const c = client;
  if (c === undefined || !c.isRunning()) return { kind: "problem", text: "the qcls server is not running", title: "" };
  const result: unknown = await c.sendRequest(PRECISION_MAP_METHOD, {
    textDocument: { uri: c.code2ProtocolConverter.asUri(doc.uri) },
    html,
  });
  return readMapAnswer(result);
}

/**
 * "qcls: Show precision map": the precision map of the config as it is in the editor, in a
 * webview beside it, redrawn as the user types (the page is the one `qcls explain --format
 * html` writes; updates come as data messages). A click on a node reveals its node_config
 * entry, or offers to add one.
 */
async function showPrecisionMap(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showWarningMessage("qcls: open a quant_config file first.");
    return;
  }
  const doc = editor.document;
  const key = doc.uri.toString();
  const open = mapViews.get(key);
  if (open !== undefined) {
    open.panel.reveal(vscode.ViewColumn.Beside, true);
    return;
  }
  let answer: ReturnType<typeof readMapAnswer>;
  try {
    answer = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: "qcls precision map" },
      () => requestMap(doc, true),
    );
  } catch (err) {
    answer = { kind: "problem", text: String(err), title: "" };
  }
  if (answer.kind !== "map" || answer.html === undefined) {
    const text = answer.kind === "not-served" ? "this file is not a quant_config" : answer.kind === "problem" ? answer.text : "the server sent no page";
    outputChannel.appendLine(`qcls precision map ${key}: ${text}`);
    void vscode.window.showWarningMessage(`qcls: ${text}`);
    return;
  }
  const panel = vscode.window.createWebviewPanel(
    "qcls.precisionMap",
    panelTitle(answer.title || path.basename(doc.uri.path)),
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [] },
  );
  const view: MapView = { panel, doc: doc.uri, qtypes: answer.qtypes, insert: answer.insert, busy: false, again: false };
  mapViews.set(key, view);
  panel.webview.html = answer.html;
  panel.webview.onDidReceiveMessage((msg: unknown) => {
    const node = readNodeMessage(msg);
    if (node !== undefined) void onMapNode(view, node);
  });
  panel.onDidDispose(() => mapViews.delete(key));
}

/** Asks for the map of `doc` again and sends it to its open webview (after the server re-checked it). */
async function refreshMap(doc: vscode.TextDocument): Promise<void> {
  const view = mapViews.get(doc.uri.toString());
  if (view === undefined) return;
  if (view.busy) {
    view.again = true;
    return;
  }
  view.busy = true;
  try {
    do {
      view.again = false;
      const answer = await requestMap(doc, false);
      if (answer.kind === "map") {
        view.qtypes = answer.qtypes;
        view.insert = answer.insert;
        await view.panel.webview.postMessage({ type: "data", data: answer.data });
        await view.panel.webview.postMessage({ type: "problem", text: "" });
      } else {
        await view.panel.webview.postMessage({ type: "problem", text: answer.kind === "problem" ? answer.text : "this file is no longer a quant_config" });
      }
    } while (view.again && mapViews.has(doc.uri.toString()));
  } catch (err) {
    outputChannel.appendLine(`qcls precision map ${doc.uri.toString()}: ${String(err)}`);
  } finally {
    view.busy = false;
  }
}

/** A click on a node of the map: reveal its node_config entry, or offer to add one. */
async function onMapNode(view: MapView, node: NodeMessage): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(view.doc);
  const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === view.doc.toString())?.viewColumn;
  if (node.line !== null && node.line <= doc.lineCount) {
    const line = node.line - 1;
    const [start, end] = keyColumns(doc.lineAt(line).text, node.name);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: column, preserveFocus: false });
    editor.selection = new vscode.Selection(line, start, line, end);
    editor.revealRange(new vscode.Range(line, start, line, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return;
  }
  const add = "Add node_config entry";
  const choice = await vscode.window.showInformationMessage(`qcls: ${node.name} has no node_config entry.`, add);
  if (choice !== add) return;
  const insert = view.insert;
  if (insert === undefined) {
    void vscode.window.showWarningMessage("qcls: an entry can be added to a JSON quant_config without syntax errors only; add it by hand.");
    return;
  }
  const qtype = await vscode.window.showQuickPick(view.qtypes.length ? view.qtypes : ["int8", "int16", "float16", "float32"], {
    title: `qtype of ${node.name}`,
    placeHolder: "The precision of the node's inputs",
  });
  if (qtype === undefined || client === undefined) return;
  const at = client.protocol2CodeConverter.asPosition(insert.position);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(view.doc, at, entryText(insert, node.name, qtype));
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showWarningMessage("qcls: the entry could not be added (the file changed?).");
    return;
  }
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: column, preserveFocus: false });
  const line = Math.min(entryLine(insert), doc.lineCount - 1);
  const [start, end] = keyColumns(doc.lineAt(line).text, node.name);
  editor.selection = new vscode.Selection(line, start, line, end);
  editor.revealRange(new vscode.Range(line, start, line, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionPath = context.extensionPath;
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
    vscode.commands.registerCommand("qcls.showPrecisionMap", showPrecisionMap),
    vscode.window.onDidChangeActiveTextEditor((e) => void updateStatus(e)),
    // The explain view follows the config as the user types: the server re-checks every
    // change and republishes its diagnostics, after which the explanation is asked again.
    vscode.languages.onDidChangeDiagnostics((e) => {
      for (const uri of e.uris) {
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        if (doc !== undefined && explainViews.has(uri.toString())) void renderExplainView(doc).catch(() => undefined);
        if (doc !== undefined && mapViews.has(uri.toString())) void refreshMap(doc);
      }
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      // A language change closes and reopens the document, which stays in textDocuments; a
      // document that is really closed is forgotten, and its language is decided anew when it
      // is opened again.
      const key = doc.uri.toString();
      if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) {
        switchedLanguage.delete(key);
        clearTimeout(languageChecks.get(key));
        languageChecks.delete(key);
      }
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
