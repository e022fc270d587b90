// Turning the `qcls.*` settings into what the server reads (docs/spec.md, "Documents and settings"). Pure: no `vscode` import.

export const LEVELS = ["error", "warning", "information", "hint", "off"] as const;
export type Level = (typeof LEVELS)[number];

export const LOCALES = ["en", "zh-CN"] as const;
export type Locale = (typeof LOCALES)[number];

/** The diagnostic codes of the server (`Code::ALL`, checked by tests/vscode_codes.rs), with their default severity. Mirrored in package.json. */
export const DIAGNOSTIC_CODES: ReadonlyArray<{ code: string; defaultSeverity: string }> = [
  { code: "syntax-error", defaultSeverity: "error" },
  { code: "hash-comment", defaultSeverity: "error" },
  { code: "duplicate-key", defaultSeverity: "warning" },
  { code: "unknown-key", defaultSeverity: "error" },
  { code: "legacy-key", defaultSeverity: "warning" },
  { code: "wrong-type", defaultSeverity: "error" },
  { code: "invalid-value", defaultSeverity: "error" },
  { code: "out-of-range", defaultSeverity: "warning or error" },
  { code: "empty-list", defaultSeverity: "error" },
  { code: "ec-misplaced", defaultSeverity: "error" },
  { code: "ec-wrong-input", defaultSeverity: "warning" },
  { code: "ec-unsupported-op", defaultSeverity: "warning" },
  { code: "unknown-node", defaultSeverity: "warning" },
  { code: "unknown-op-type", defaultSeverity: "warning" },
  { code: "op-type-absent", defaultSeverity: "hint" },
  { code: "no-effect", defaultSeverity: "hint" },
  { code: "model-not-found", defaultSeverity: "information" },
  { code: "model-unreadable", defaultSeverity: "error" },
  { code: "overlapping-setting", defaultSeverity: "warning" },
  { code: "file-not-found", defaultSeverity: "error" },
  { code: "too-many-diagnostics", defaultSeverity: "information" },
];

/** The toolchain releases the server knows (`qcls.toolchain`). */
export const TOOLCHAINS = ["oe3", "hmct-2.8"] as const;

/** The settings object the server understands: `{ model?, locale?, march?, toolchain?, diagnostics }`. */
export interface ServerSettings {
  model?: string;
  locale?: Locale;
  /** The chip (`nash-e`, `bayes-e`, …): picks the toolchain profile. */
  march?: string;
  /** The toolchain release (`oe3`, `hmct-2.8`). */
  toolchain?: string;
  /** How much the server writes to the output channel (`off` … `trace`). */
  logLevel?: string;
  /** At most this many diagnostics of one file (a whole number, at least 1). */
  maxDiagnostics?: number;
  diagnostics: Record<string, Level>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Normalises the raw `qcls` configuration section (as returned by
 * `workspace.getConfiguration("qcls")` or a plain object): empty model → absent, locale
 * `auto`/unknown → absent (the server then follows the client's locale), diagnostics entries
 * with an unknown level are dropped. Codes the extension does not know are kept, so a newer
 * server's codes can be configured. `server.*` and `trace.*` are client-side only.
 */
export function toServerSettings(raw: unknown): ServerSettings {
  const out: ServerSettings = { diagnostics: {} };
  if (!isRecord(raw)) return out;
  const model = raw["model"];
  if (typeof model === "string" && model.trim() !== "") out.model = model.trim();
  const locale = raw["locale"];
  if (typeof locale === "string") {
    const hit = LOCALES.find((l) => l.toLowerCase() === locale.trim().toLowerCase());
    if (hit !== undefined) out.locale = hit;
  }
  for (const key of ["march", "toolchain", "logLevel"] as const) {
    const value = raw[key];
    if (typeof value === "string" && value.trim() !== "") out[key] = value.trim();
  }
  const max = raw["maxDiagnostics"];
  if (typeof max === "number" && Number.isInteger(max) && max >= 1) out.maxDiagnostics = max;
  const diags = raw["diagnostics"];
  if (isRecord(diags)) {
    for (const [code, level] of Object.entries(diags)) {
      if (typeof level !== "string") continue;
      const l = level.trim().toLowerCase();
      const norm = l === "info" ? "information" : l === "warn" ? "warning" : l;
      if ((LEVELS as readonly string[]).includes(norm)) out.diagnostics[code] = norm as Level;
    }
  }
  return out;
}

/** `initializationOptions` for the server: `{ qcls: { model, locale, march, toolchain, diagnostics } }`. */
export function toInitializationOptions(raw: unknown): { qcls: ServerSettings } {
  return { qcls: toServerSettings(raw) };
}
