import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { DIAGNOSTIC_CODES, LEVELS, toInitializationOptions, toServerSettings } from "../settings";

describe("toInitializationOptions", () => {
  it("wraps the settings in {qcls: ...}", () => {
    assert.deepEqual(
      toInitializationOptions({ model: "build/optimized_float_model.onnx", locale: "zh-CN", diagnostics: { "legacy-key": "off" } }),
      { qcls: { model: "build/optimized_float_model.onnx", locale: "zh-CN", diagnostics: { "legacy-key": "off" } } },
    );
  });

  it("omits an empty model and the 'auto' locale, so the server uses its defaults", () => {
    assert.deepEqual(toInitializationOptions({ model: "  ", locale: "auto", diagnostics: {} }), { qcls: { diagnostics: {} } });
    assert.deepEqual(toInitializationOptions({ model: null, locale: null }), { qcls: { diagnostics: {} } });
    assert.deepEqual(toInitializationOptions(undefined), { qcls: { diagnostics: {} } });
  });

  it("normalises locale case and trims the model path", () => {
    assert.deepEqual(toServerSettings({ locale: "zh-cn", model: " m.onnx " }), { locale: "zh-CN", model: "m.onnx", diagnostics: {} });
    assert.deepEqual(toServerSettings({ locale: "fr" }), { diagnostics: {} });
  });

  it("passes march and toolchain on, trimmed, and drops empty ones", () => {
    assert.deepEqual(toServerSettings({ march: " bayes-e ", toolchain: "hmct-2.8" }), {
      march: "bayes-e",
      toolchain: "hmct-2.8",
      diagnostics: {},
    });
    assert.deepEqual(toServerSettings({ march: "", toolchain: null }), { diagnostics: {} });
  });

  it("keeps valid levels (also for codes it does not know) and drops invalid ones", () => {
    assert.deepEqual(
      toServerSettings({
        diagnostics: {
          "unknown-node": "Error",
          "no-effect": "info",
          "legacy-key": "warn",
          "future-code": "hint",
          "wrong-type": "fatal",
          "empty-list": 3,
        },
      }).diagnostics,
      { "unknown-node": "error", "no-effect": "information", "legacy-key": "warning", "future-code": "hint" },
    );
  });

  it("passes maxDiagnostics on when it is a whole number of at least 1", () => {
    assert.deepEqual(toServerSettings({ maxDiagnostics: 50 }), { maxDiagnostics: 50, diagnostics: {} });
    for (const bad of [0, -1, 2.5, "100", null]) {
      assert.deepEqual(toServerSettings({ maxDiagnostics: bad }), { diagnostics: {} }, String(bad));
    }
  });

  it("ignores client-only keys such as server.path and trace", () => {
    const s = toServerSettings({ server: { path: "/x" }, trace: { server: "verbose" }, diagnostics: [] });
    assert.deepEqual(s, { diagnostics: {} });
  });
});

describe("package.json settings", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
  const props = pkg.contributes.configuration.properties;

  it("lists exactly the server's diagnostic codes, each with the five levels and a description", () => {
    const listed = Object.keys(props["qcls.diagnostics"].properties);
    assert.deepEqual(listed, DIAGNOSTIC_CODES.map((c) => c.code));
    for (const code of listed) {
      const p = props["qcls.diagnostics"].properties[code];
      assert.deepEqual(p.enum, [...LEVELS], code);
      assert.ok(typeof p.description === "string" && p.description.includes("Default:"), code);
    }
  });

  it("contributes the server path, model and locale settings with descriptions", () => {
    for (const key of ["qcls.server.path", "qcls.model", "qcls.locale", "qcls.diagnostics"]) {
      assert.ok(props[key], key);
      assert.ok((props[key].description ?? props[key].markdownDescription ?? "").length > 20, key);
    }
    assert.deepEqual(props["qcls.locale"].enum, ["auto", "en", "zh-CN"]);
  });

  it("leaves validation to qcls (no JSON Schema) and declares its commands", () => {
    // A schema would make VS Code's JSON server report every bad value a second time.
    assert.equal(pkg.contributes.jsonValidation, undefined);
    const cmds = pkg.contributes.commands.map((c: { command: string; title: string }) => `${c.command}:${c.title}`);
    assert.deepEqual(cmds, [
      "qcls.showEffectivePrecision:Show effective precision",
      "qcls.showPrecisionMap:Show precision map",
      "qcls.restartServer:Restart server",
    ]);
  });
});
