import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { firstLineZeroLens, lensTitle, statusBarText } from "../modelLens";

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
