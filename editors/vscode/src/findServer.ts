// Locating the qcls executable. Pure: no `vscode` import, file-system access is injected,
// so the logic can be unit-tested for every platform from any platform.
import * as path from "node:path";

export interface FindServerOptions {
  /** The `qcls.server.path` setting (empty/null = not set). */
  configuredPath?: string | null;
  /** The environment (PATH, PATHEXT, HOME ...). */
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  /** First workspace folder: base for relative settings and `${workspaceFolder}`. */
  workspaceFolder?: string;
  /** Home folder, for `~` and `${userHome}`. */
  homeDir?: string;
  /** True when `p` is an existing, executable regular file. */
  isExecutable: (p: string) => boolean;
  /**
   * The server shipped inside a platform-specific extension package, without the `.exe` on
   * Windows (`<extension>/server/qcls`); absent or not executable in the plain package.
   */
  bundledPath?: string;
}

export type ServerSource = "setting" | "PATH" | "bundled";

export type FindServerResult =
  | { found: true; path: string; source: ServerSource }
  | { found: false; source: "setting" | "PATH"; message: string; tried: string[] };

export const SERVER_NAME = "qcls";

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

function envVar(env: FindServerOptions["env"], name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== "win32") return env[name];
  // Windows environment variable names are case-insensitive ("Path" is common).
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

/** Expands `~`, `${userHome}`, `${workspaceFolder}` and `${env:NAME}` in a configured path. */
export function expandPath(raw: string, opts: Pick<FindServerOptions, "env" | "platform" | "workspaceFolder" | "homeDir">): string {
  const p = pathApi(opts.platform);
  let out = raw.trim();
  const home = opts.homeDir ?? envVar(opts.env, opts.platform === "win32" ? "USERPROFILE" : "HOME", opts.platform);
  if (home !== undefined) {
    if (out === "~") out = home;
    else if (out.startsWith("~/") || (opts.platform === "win32" && out.startsWith("~\\"))) out = p.join(home, out.slice(2));
    out = out.split("${userHome}").join(home);
  }
  if (opts.workspaceFolder !== undefined) out = out.split("${workspaceFolder}").join(opts.workspaceFolder);
  out = out.replace(/\$\{env:([^}]+)\}/g, (_m, name: string) => envVar(opts.env, name, opts.platform) ?? "");
  if (!p.isAbsolute(out) && opts.workspaceFolder !== undefined) out = p.join(opts.workspaceFolder, out);
  return out;
}

/** The executable-name variants to try for `base` (PATHEXT on Windows). */
export function executableCandidates(base: string, platform: NodeJS.Platform, env: FindServerOptions["env"]): string[] {
  if (platform !== "win32") return [base];
  const exts = (envVar(env, "PATHEXT", platform) ?? ".COM;.EXE;.BAT;.CMD")
    .split(";")
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  const lower = base.toLowerCase();
  if (exts.some((e) => lower.endsWith(e.toLowerCase()))) return [base];
  // Prefer .exe (what cargo builds), then the PATHEXT order, then the bare name.
  const ordered = [".exe", ...exts.map((e) => e.toLowerCase()).filter((e) => e !== ".exe")];
  return [...ordered.map((e) => base + e), base];
}

/**
 * Finds the server: the `qcls.server.path` setting when it is set (and then only there: a
 * wrong setting is reported, not silently replaced by another binary), else `qcls` on PATH
 * (a server the user installed wins over the one that came with the extension), else the
 * bundled server.
 */
export function findServer(opts: FindServerOptions): FindServerResult {
  const p = pathApi(opts.platform);
  const configured = opts.configuredPath?.trim();
  if (configured) {
    const expanded = expandPath(configured, opts);
    const tried = executableCandidates(expanded, opts.platform, opts.env);
    const hit = tried.find((c) => opts.isExecutable(c));
    if (hit !== undefined) return { found: true, path: hit, source: "setting" };
    return {
      found: false,
      source: "setting",
      tried,
      message: `The qcls server was not found at "${expanded}" (setting qcls.server.path), or it is not executable.`,
    };
  }
  const pathVar = envVar(opts.env, "PATH", opts.platform) ?? "";
  const dirs = pathVar.split(p.delimiter).filter((d) => d.length > 0);
  const tried: string[] = [];
  for (const dir of dirs) {
    // Windows PATH entries may be quoted.
    const clean = opts.platform === "win32" ? dir.replace(/^"(.*)"$/, "$1") : dir;
    for (const cand of executableCandidates(p.join(clean, SERVER_NAME), opts.platform, opts.env)) {
      tried.push(cand);
      if (opts.isExecutable(cand)) return { found: true, path: cand, source: "PATH" };
    }
  }
  if (opts.bundledPath !== undefined && opts.bundledPath !== "") {
    for (const cand of executableCandidates(opts.bundledPath, opts.platform, opts.env)) {
      tried.push(cand);
      if (opts.isExecutable(cand)) return { found: true, path: cand, source: "bundled" };
    }
  }
  return {
    found: false,
    source: "PATH",
    tried,
    message:
      "The qcls language server was not found on PATH and this package of the extension does not bundle it. Install it (cargo install --path . in the qcls repository), set qcls.server.path, or install the extension package for your platform.",
  };
}
