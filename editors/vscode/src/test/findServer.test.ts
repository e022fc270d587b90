import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { executableCandidates, expandPath, findServer } from "../findServer";

const only = (...files: string[]) => (p: string) => files.includes(p);

describe("findServer on Linux/macOS", () => {
  it("finds qcls in the first PATH folder that has it", () => {
    const r = findServer({
      env: { PATH: "/usr/local/bin:/home/u/.cargo/bin:/usr/bin" },
      platform: "linux",
      isExecutable: only("/home/u/.cargo/bin/qcls", "/usr/bin/qcls"),
    });
    assert.deepEqual(r, { found: true, path: "/home/u/.cargo/bin/qcls", source: "PATH" });
  });

  it("skips empty PATH entries and reports every place it tried", () => {
    const r = findServer({ env: { PATH: "/a::/b:" }, platform: "darwin", isExecutable: () => false });
    assert.equal(r.found, false);
    assert.equal(r.source, "PATH");
    assert.deepEqual(!r.found && r.tried, ["/a/qcls", "/b/qcls"]);
    assert.match(!r.found ? r.message : "", /not found on PATH/);
  });

  it("works with no PATH at all", () => {
    const r = findServer({ env: {}, platform: "linux", isExecutable: () => true });
    assert.equal(r.found, false);
  });

  it("uses the setting, expanding ~ and ${workspaceFolder}, relative to the workspace", () => {
    const base = { env: { PATH: "/usr/bin" }, platform: "linux" as const, workspaceFolder: "/ws", homeDir: "/home/u" };
    assert.deepEqual(findServer({ ...base, configuredPath: "~/bin/qcls", isExecutable: only("/home/u/bin/qcls") }), {
      found: true,
      path: "/home/u/bin/qcls",
      source: "setting",
    });
    assert.deepEqual(
      findServer({ ...base, configuredPath: "${workspaceFolder}/target/release/qcls", isExecutable: only("/ws/target/release/qcls") }),
      { found: true, path: "/ws/target/release/qcls", source: "setting" },
    );
    assert.deepEqual(findServer({ ...base, configuredPath: "target/debug/qcls", isExecutable: only("/ws/target/debug/qcls") }), {
      found: true,
      path: "/ws/target/debug/qcls",
      source: "setting",
    });
  });

  it("does not fall back to PATH when the configured path is wrong", () => {
    const r = findServer({
      configuredPath: "/opt/qcls/bin/qcls",
      env: { PATH: "/usr/bin" },
      platform: "linux",
      isExecutable: only("/usr/bin/qcls"),
    });
    assert.equal(r.found, false);
    assert.equal(r.source, "setting");
    assert.match(!r.found ? r.message : "", /\/opt\/qcls\/bin\/qcls.*qcls\.server\.path/);
  });

  it("treats a blank or null setting as unset", () => {
    for (const configuredPath of ["", "   ", null, undefined]) {
      const r = findServer({ configuredPath, env: { PATH: "/usr/bin" }, platform: "linux", isExecutable: only("/usr/bin/qcls") });
      assert.deepEqual(r, { found: true, path: "/usr/bin/qcls", source: "PATH" });
    }
  });

  it("expands ${env:NAME}", () => {
    assert.equal(expandPath("${env:QCLS_HOME}/qcls", { env: { QCLS_HOME: "/opt/q" }, platform: "linux" }), "/opt/q/qcls");
  });
});

describe("findServer with a bundled server", () => {
  const bundledPath = "/ext/qcls-0.1.0-linux-x64/server/qcls";

  it("prefers qcls on PATH to the bundled server", () => {
    const r = findServer({ env: { PATH: "/usr/bin" }, platform: "linux", bundledPath, isExecutable: only("/usr/bin/qcls", bundledPath) });
    assert.deepEqual(r, { found: true, path: "/usr/bin/qcls", source: "PATH" });
  });

  it("falls back to the bundled server when PATH has none", () => {
    const r = findServer({ env: { PATH: "/usr/bin:/bin" }, platform: "linux", bundledPath, isExecutable: only(bundledPath) });
    assert.deepEqual(r, { found: true, path: bundledPath, source: "bundled" });
  });

  it("prefers the setting to PATH and to the bundled server", () => {
    const r = findServer({
      configuredPath: "/opt/qcls",
      env: { PATH: "/usr/bin" },
      platform: "linux",
      bundledPath,
      isExecutable: only("/opt/qcls", "/usr/bin/qcls", bundledPath),
    });
    assert.deepEqual(r, { found: true, path: "/opt/qcls", source: "setting" });
  });

  it("does not fall back to the bundled server when the configured path is wrong", () => {
    const r = findServer({ configuredPath: "/opt/qcls", env: { PATH: "" }, platform: "linux", bundledPath, isExecutable: only(bundledPath) });
    assert.equal(r.found, false);
    assert.equal(r.source, "setting");
  });

  it("lists the bundled path among the places tried when nothing is found", () => {
    const r = findServer({ env: { PATH: "/usr/bin" }, platform: "linux", bundledPath, isExecutable: () => false });
    assert.equal(r.found, false);
    assert.deepEqual(!r.found && r.tried, ["/usr/bin/qcls", bundledPath]);
    assert.match(!r.found ? r.message : "", /does not bundle it/);
  });

  it("treats an empty bundled path as none (the plain package)", () => {
    const r = findServer({ env: { PATH: "/usr/bin" }, platform: "linux", bundledPath: "", isExecutable: () => true });
    assert.deepEqual(r, { found: true, path: "/usr/bin/qcls", source: "PATH" });
    const none = findServer({ env: {}, platform: "linux", bundledPath: "", isExecutable: () => true });
    assert.deepEqual(!none.found && none.tried, []);
  });

  it("finds the bundled qcls.exe on Windows", () => {
    const r = findServer({
      env: { Path: "C:\\Windows" },
      platform: "win32",
      bundledPath: "C:\\ext\\server\\qcls",
      isExecutable: only("C:\\ext\\server\\qcls.exe"),
    });
    assert.deepEqual(r, { found: true, path: "C:\\ext\\server\\qcls.exe", source: "bundled" });
  });
});

describe("findServer on Windows", () => {
  it("looks for qcls.exe using the case-insensitive Path variable and PATHEXT", () => {
    const r = findServer({
      env: { Path: "C:\\Windows;\"C:\\Users\\u\\.cargo\\bin\"", PATHEXT: ".COM;.EXE;.BAT" },
      platform: "win32",
      isExecutable: only("C:\\Users\\u\\.cargo\\bin\\qcls.exe"),
    });
    assert.deepEqual(r, { found: true, path: "C:\\Users\\u\\.cargo\\bin\\qcls.exe", source: "PATH" });
  });

  it("adds .exe to a configured path without an extension", () => {
    const r = findServer({
      configuredPath: "D:\\tools\\qcls",
      env: {},
      platform: "win32",
      isExecutable: only("D:\\tools\\qcls.exe"),
    });
    assert.deepEqual(r, { found: true, path: "D:\\tools\\qcls.exe", source: "setting" });
  });

  it("keeps a name that already has an executable extension", () => {
    assert.deepEqual(executableCandidates("C:\\q\\qcls.EXE", "win32", {}), ["C:\\q\\qcls.EXE"]);
    assert.deepEqual(executableCandidates("/usr/bin/qcls", "linux", {}), ["/usr/bin/qcls"]);
    assert.equal(executableCandidates("C:\\q\\qcls", "win32", { PATHEXT: ".COM;.EXE" })[0], "C:\\q\\qcls.exe");
  });
});
