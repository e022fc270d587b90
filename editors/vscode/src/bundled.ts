// The server shipped inside the platform-specific extension package (`server/qcls`).
// No `vscode` import: unit-tested against real files in a temporary folder.
import * as fs from "node:fs";
import * as path from "node:path";
import { SERVER_NAME } from "./findServer";

/** Where the platform-specific package puts the server, relative to the extension's folder. */
export const BUNDLED_SERVER_DIR = "server";

/** The bundled server's path without the Windows `.exe` (findServer adds it). */
export function bundledServerBase(extensionPath: string, platform: NodeJS.Platform = process.platform): string {
  const p = platform === "win32" ? path.win32 : path.posix;
  return p.join(extensionPath, BUNDLED_SERVER_DIR, SERVER_NAME);
}

export type EnsureExecutable = "absent" | "executable" | "made-executable" | { failed: string };

/**
 * Gives the bundled server its executable bit back when unpacking the package lost it (a
 * .vsix is a zip, and a zip need not carry Unix file modes). Nothing to do on Windows.
 */
export function ensureExecutable(file: string, platform: NodeJS.Platform = process.platform): EnsureExecutable {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return "absent";
  }
  if (!st.isFile()) return "absent";
  if (platform === "win32") return "executable";
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return "executable";
  } catch {
    // Fall through: add the bits.
  }
  try {
    fs.chmodSync(file, (st.mode & 0o7777) | 0o755);
    fs.accessSync(file, fs.constants.X_OK);
    return "made-executable";
  } catch (err) {
    return { failed: String(err) };
  }
}
