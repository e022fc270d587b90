import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { bundledServerBase, ensureExecutable } from "../bundled";

describe("bundled server", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qcls-bundled-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("lives in server/ of the extension", () => {
    assert.equal(bundledServerBase("/ext/qcls.qcls-0.1.0-linux-x64", "linux"), "/ext/qcls.qcls-0.1.0-linux-x64/server/qcls");
    assert.equal(bundledServerBase("C:\\ext\\qcls", "win32"), "C:\\ext\\qcls\\server\\qcls");
  });

  it("reports a package without a server", () => {
    assert.equal(ensureExecutable(path.join(dir, "missing"), "linux"), "absent");
    assert.equal(ensureExecutable(dir, "linux"), "absent");
  });

  it("leaves an executable server alone", { skip: process.platform === "win32" }, () => {
    const f = path.join(dir, "qcls-x");
    fs.writeFileSync(f, "#!/bin/sh\n", { mode: 0o755 });
    assert.equal(ensureExecutable(f, "linux"), "executable");
    assert.equal(fs.statSync(f).mode & 0o777, 0o755);
  });

  it("gives a server unpacked without its exec bit the bit back", { skip: process.platform === "win32" }, () => {
    const f = path.join(dir, "qcls-noexec");
    fs.writeFileSync(f, "#!/bin/sh\n");
    fs.chmodSync(f, 0o644);
    assert.equal(ensureExecutable(f, "linux"), "made-executable");
    assert.equal(fs.statSync(f).mode & 0o777, 0o755);
  });
});
