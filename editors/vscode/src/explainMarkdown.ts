// Rendering the output of `qcls explain --format json` as Markdown. Pure: no `vscode` import.
//
// Expected shape (the server's JSON is tolerated when it differs: whatever cannot be read as
// this is shown as raw JSON rather than dropped):
//   { "model": { "path": string, "reason": string } | null,
//     "nodes": [ { "name", "op_type",
//                  "inputs": [ { "index", "tensor", "precision",
//                                "source": { "path": string|null, "line": number|null } | null } ] } ] }
// `source.line` is taken as 0-based (like every line in qcls's JSON output) and shown 1-based.

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Escapes text for a Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** An inline code span that survives backticks in the text, safe inside a table cell. */
export function code(text: string): string {
  if (text === "") return "";
  const runs = text.match(/`+/g) ?? [];
  const longest = runs.reduce((m, r) => Math.max(m, r.length), 0);
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  // In GFM tables a pipe must be escaped even inside code spans.
  return `${fence}${pad}${text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ")}${pad}${fence}`;
}

function jsonBlock(value: unknown): string {
  const text = JSON.stringify(value, null, 2) ?? String(value);
  const runs = text.match(/`{3,}/g) ?? [];
  const fence = "`".repeat(Math.max(3, ...runs.map((r) => r.length + 1)));
  return `${fence}json\n${text}\n${fence}\n`;
}

function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

function renderSource(src: unknown): string {
  if (src === null || src === undefined) return "default";
  if (typeof src === "string") return cell(src);
  if (!isRecord(src)) return cell(JSON.stringify(src));
  const p = str(src["path"]);
  const line = src["line"];
  const where = typeof line === "number" && Number.isInteger(line) && line >= 0 ? ` (line ${line + 1})` : "";
  if (p === undefined || p === "") return where === "" ? "default" : `line ${(line as number) + 1}`;
  return `${code(p)}${where}`;
}

function renderPrecision(p: unknown): string {
  const s = str(p);
  if (s === undefined || s === "") return "—";
  if (s === "ec") return "**ec** (int8 with error compensation)";
  return s;
}

function renderModel(model: unknown): string {
  if (model === null || model === undefined) return "**Model:** none paired\n";
  if (typeof model === "string") return `**Model:** ${code(model)}\n`;
  if (!isRecord(model)) return `**Model:**\n\n${jsonBlock(model)}`;
  const p = str(model["path"]);
  const reason = str(model["reason"]);
  if (p === undefined) return `**Model:**\n\n${jsonBlock(model)}`;
  return `**Model:** ${code(p)}${reason ? ` — ${cell(reason)}` : ""}\n`;
}

export interface RenderOptions {
  /** The config file's name, for the title. */
  fileName?: string;
}

/** Renders explain JSON as a Markdown document with one table row per node input. */
export function renderExplainMarkdown(data: unknown, opts: RenderOptions = {}): string {
  const title = `# Effective precision${opts.fileName ? ` — ${opts.fileName}` : ""}\n\n`;
  if (!isRecord(data) || !Array.isArray(data["nodes"])) {
    return `${title}The output of \`qcls explain\` has an unexpected shape; here it is as is:\n\n${jsonBlock(data)}`;
  }
  let out = title;
  if ("model" in data) out += `${renderModel(data["model"])}\n`;
  const profile = data["profile"];
  if (isRecord(profile) && str(profile["reason"]) !== undefined) {
    out += `**Profile:** ${cell(str(profile["reason"]) ?? "")}\n\n`;
  }
  const problem = str(data["problem"]);
  if (problem !== undefined) out += `> ${cell(problem)}\n\n`;
  const rows: string[] = [];
  const odd: unknown[] = [];
  for (const node of data["nodes"] as unknown[]) {
    if (!isRecord(node) || str(node["name"]) === undefined) {
      odd.push(node);
      continue;
    }
    const name = code(str(node["name"]) ?? "");
    const op = cell(str(node["op_type"]) ?? "");
    const inputs = node["inputs"];
    if (!Array.isArray(inputs) || inputs.length === 0) {
      rows.push(`| ${name} | ${op} | | | — | |`);
      continue;
    }
    let first = true;
    for (const inp of inputs as unknown[]) {
      const n = first ? name : "";
      const o = first ? op : "";
      first = false;
      if (!isRecord(inp)) {
        rows.push(`| ${n} | ${o} | | | ${code(JSON.stringify(inp))} | |`);
        continue;
      }
      const idx = str(inp["index"]) ?? "";
      const tensor = str(inp["tensor"]);
      const t = tensor === undefined || tensor === "" ? "*(absent)*" : code(tensor);
      rows.push(`| ${n} | ${o} | ${cell(idx)} | ${t} | ${renderPrecision(inp["precision"])} | ${renderSource(inp["source"])} |`);
    }
  }
  if (rows.length === 0) {
    if (problem === undefined) out += "The model has no nodes.\n";
  } else {
    out += "| Node | Op type | Input | Tensor | Precision | Decided by |\n";
    out += "|---|---|---:|---|---|---|\n";
    out += rows.join("\n") + "\n";
  }
  const shown = ["model", "nodes", "profile", "problem", "summary"];
  const extra = Object.fromEntries(Object.entries(data).filter(([k]) => !shown.includes(k)));
  if (odd.length > 0) out += `\n## Entries not shown above\n\n${jsonBlock(odd)}`;
  if (Object.keys(extra).length > 0) out += `\n## Other fields\n\n${jsonBlock(extra)}`;
  return out;
}
