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

/** `true` when the text carries a `// qcls-model: <path>` directive (the first pairing rule). */
export function hasModelDirective(text: string): boolean {
  return /\/\/[ \t]*qcls-model:[ \t]*\S/.test(text);
}

/**
 * Arguments for `qcls explain`. `--model` overrides every pairing rule on the command line
 * (the command line), so the `qcls.model` setting is passed only when the file has no directive: the
 * editor pairs directive first, then the setting, and so does this.
 */
export function explainArgs(file: string, opts: { model?: string; hasDirective: boolean; format?: string }): string[] {
  const args = ["explain", "--format", opts.format ?? "json"];
  if (opts.model !== undefined && opts.model !== "" && !opts.hasDirective) args.push("--model", opts.model);
  args.push(file);
  return args;
}
