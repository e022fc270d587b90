// The paired model shown in the status bar, taken from the server's code lens on line 0
// (the code lens that shows the paired model). Pure: no `vscode` import.

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A code lens as it comes over the wire (LSP `CodeLens`), loosely typed. */
export type WireCodeLens = unknown;

/** The first lens that sits on line 0; `undefined` when there is none. */
export function firstLineZeroLens(lenses: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(lenses)) return undefined;
  for (const l of lenses) {
    if (!isRecord(l)) continue;
    const range = l["range"];
    if (!isRecord(range) || !isRecord(range["start"])) continue;
    if (range["start"]["line"] === 0) return l;
  }
  return undefined;
}

/** The title of a (resolved) lens, or `undefined` when it carries no command yet. */
export function lensTitle(lens: unknown): string | undefined {
  if (!isRecord(lens) || !isRecord(lens["command"])) return undefined;
  const t = lens["command"]["title"];
  return typeof t === "string" && t.trim() !== "" ? t.trim() : undefined;
}

/** Status-bar text: a model icon and the title, shortened to `max` characters. */
export function statusBarText(title: string, max = 60): string {
  // Lens titles may carry codicons already; keep them, but never a second model icon.
  const body = title.length > max ? `${title.slice(0, max - 1)}…` : title;
  return `$(circuit-board) ${body}`;
}
