import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { explainArgs, firstLineZeroLens, hasModelDirective, lensTitle, statusBarText } from "../modelLens";

const lens = (line: number, title?: string) => ({
  range: { start: { line, character: 0 }, end: { line, character: 1 } },
  ...(title === undefined ? {} : { command: { title, command: "qcls.openModel" } }),
});

describe("model code lens", () => {
  it("takes the first lens on line 0", () => {
    const lenses = [lens(3, "other"), lens(0, "Model: optimized_float_model.onnx (next to the file)"), lens(0, "second")];
    const l = firstLineZeroLens(lenses);
    assert.equal(lensTitle(l), "Model: optimized_float_model.onnx (next to the file)");
  });

  it("returns nothing for no lenses, null, or lenses elsewhere", () => {
    assert.equal(firstLineZeroLens(null), undefined);
    assert.equal(firstLineZeroLens([]), undefined);
    assert.equal(firstLineZeroLens([lens(1, "x"), { bogus: true }]), undefined);
  });

  it("reports an unresolved lens (no command) as having no title", () => {
    assert.equal(lensTitle(lens(0)), undefined);
    assert.equal(lensTitle({ command: { title: "  " } }), undefined);
  });

  it("shortens long titles in the status bar", () => {
    assert.equal(statusBarText("Model: m.onnx"), "$(circuit-board) Model: m.onnx");
    const long = statusBarText("x".repeat(100), 20);
    assert.equal(long, `$(circuit-board) ${"x".repeat(19)}…`);
  });
});

describe("explain arguments", () => {
  it("passes --model only when the file has no qcls-model directive", () => {
    assert.deepEqual(explainArgs("/w/q.json", { model: "/w/m.onnx", hasDirective: false }), [
      "explain",
      "--format",
      "json",
      "--model",
      "/w/m.onnx",
      "/w/q.json",
    ]);
    assert.deepEqual(explainArgs("/w/q.json", { model: "/w/m.onnx", hasDirective: true }), ["explain", "--format", "json", "/w/q.json"]);
    assert.deepEqual(explainArgs("/w/q.json", { hasDirective: false, format: "table" }), ["explain", "--format", "table", "/w/q.json"]);
  });

  it("recognises the directive comment", () => {
    assert.equal(hasModelDirective('// qcls-model: ../model/optimized_float_model.onnx\n{"node_config": {}}'), true);
    assert.equal(hasModelDirective('{\n  //qcls-model:m.onnx\n}'), true);
    assert.equal(hasModelDirective('{"qcls-model": "x"}'), false);
    assert.equal(hasModelDirective("// qcls-model:   \n{}"), false);
  });
});
