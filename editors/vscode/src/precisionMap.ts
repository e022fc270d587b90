// The decisions of "qcls: Show precision map" that need no VS Code: reading the server's
// `qcls/precisionMap` answer and the webview's messages, the text of a new node_config entry
// and where a node's key sits on its line. Pure: no `vscode` import.

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Where a new node_config entry goes (from the server, LSP position). */
export interface Insertion {
  position: { line: number; character: number };
  before: string;
  after: string;
}

export type MapAnswer =
  | { kind: "not-served" }
  | { kind: "problem"; text: string; title: string }
  | { kind: "map"; title: string; html?: string; data?: unknown; qtypes: string[]; insert?: Insertion };

function insertion(v: unknown): Insertion | undefined {
  if (!isRecord(v) || !isRecord(v.position)) return undefined;
  const { line, character } = v.position;
  if (typeof line !== "number" || typeof character !== "number") return undefined;
  if (typeof v.before !== "string" || typeof v.after !== "string") return undefined;
  return { position: { line, character }, before: v.before, after: v.after };
}

/** Reads a `qcls/precisionMap` answer; anything unexpected is a problem to show, not a crash. */
export function readMapAnswer(result: unknown): MapAnswer {
  if (result === null || result === undefined) return { kind: "not-served" };
  if (!isRecord(result)) return { kind: "problem", text: "the server's answer is not an object", title: "" };
  const title = typeof result.title === "string" ? result.title : "";
  if (typeof result.problem === "string") return { kind: "problem", text: result.problem, title };
  const html = typeof result.html === "string" ? result.html : undefined;
  const data = isRecord(result.data) ? result.data : undefined;
  if (html === undefined && data === undefined) return { kind: "problem", text: "the server sent no map", title };
  const qtypes = Array.isArray(result.qtypes) ? result.qtypes.filter((q): q is string => typeof q === "string") : [];
  return { kind: "map", title, html, data, qtypes, insert: insertion(result.insert) };
}

/** A click on a node in the webview: its name and the 1-based line of its entry, if any. */
export interface NodeMessage {
  name: string;
  op: string;
  line: number | null;
}

export function readNodeMessage(msg: unknown): NodeMessage | undefined {
  if (!isRecord(msg) || msg.type !== "node" || typeof msg.name !== "string") return undefined;
  const line = typeof msg.line === "number" && Number.isInteger(msg.line) && msg.line >= 1 ? msg.line : null;
  return { name: msg.name, op: typeof msg.op === "string" ? msg.op : "", line };
}

/** The text to insert for a new entry of `name` with `qtype`. */
export function entryText(insert: Insertion, name: string, qtype: string): string {
  return `${insert.before}${JSON.stringify(name)}: {"qtype": ${JSON.stringify(qtype)}}${insert.after}`;
}

/** Where the new entry's key lands: its 0-based line, counted from the insertion point. */
export function entryLine(insert: Insertion): number {
  return insert.position.line + (insert.before.match(/\n/g) ?? []).length;
}

/**
 * The columns of `name`'s key on a line of the config: the quoted name in JSON, the name
 * followed by `:` in YAML; the line's text without its indentation otherwise.
 */
export function keyColumns(lineText: string, name: string): [number, number] {
  const quoted = JSON.stringify(name);
  let at = lineText.indexOf(quoted);
  if (at >= 0) return [at, at + quoted.length];
  for (const q of [`'${name}'`, name]) {
    at = lineText.indexOf(q);
    if (at >= 0) return [at, at + q.length];
  }
  const start = lineText.length - lineText.trimStart().length;
  return [start, lineText.trimEnd().length];
}

/** The webview panel's title. */
export function panelTitle(fileName: string): string {
  return `Precision map: ${fileName}`;
}
