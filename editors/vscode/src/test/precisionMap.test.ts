import { strict as assert } from "node:assert";
import { test } from "node:test";
import { entryLine, entryText, keyColumns, panelTitle, readMapAnswer, readNodeMessage } from "../precisionMap";

test("a map answer with a page, the precisions and where entries go", () => {
  const answer = readMapAnswer({
    title: "quant_config.json",
    summary: "qcls model: ...",
    html: "<!DOCTYPE html>",
    qtypes: ["int8", "int16", 3],
    insert: { position: { line: 2, character: 38 }, before: ",\n    ", after: "" },
  });
  assert.deepEqual(answer, {
    kind: "map",
    title: "quant_config.json",
    html: "<!DOCTYPE html>",
    data: undefined,
    qtypes: ["int8", "int16"],
    insert: { position: { line: 2, character: 38 }, before: ",\n    ", after: "" },
  });
});

test("answers without a map", () => {
  assert.deepEqual(readMapAnswer(null), { kind: "not-served" });
  assert.deepEqual(readMapAnswer({ title: "a.json", problem: "no model is paired" }), {
    kind: "problem",
    text: "no model is paired",
    title: "a.json",
  });
  assert.equal(readMapAnswer("x").kind, "problem");
  assert.equal(readMapAnswer({ title: "a.json" }).kind, "problem");
  // A malformed insertion is dropped, the map is kept.
  const answer = readMapAnswer({ data: { version: 1 }, insert: { position: { line: "2" } } });
  assert.equal(answer.kind, "map");
  assert.equal(answer.kind === "map" ? answer.insert : "x", undefined);
});

test("node messages from the webview", () => {
  assert.deepEqual(readNodeMessage({ type: "node", name: "/conv1/Conv", op: "Conv", line: 12 }), {
    name: "/conv1/Conv",
    op: "Conv",
    line: 12,
  });
  assert.deepEqual(readNodeMessage({ type: "node", name: "x", line: null }), { name: "x", op: "", line: null });
  assert.equal(readNodeMessage({ type: "node", name: "x", line: 0 })?.line, null);
  assert.equal(readNodeMessage({ type: "ready" }), undefined);
  assert.equal(readNodeMessage({ type: "node" }), undefined);
  assert.equal(readNodeMessage("node"), undefined);
});

test("the text and line of a new entry", () => {
  const insert = { position: { line: 2, character: 38 }, before: ",\n    ", after: "" };
  assert.equal(entryText(insert, '/a/"b"', "int16"), ',\n    "/a/\\"b\\"": {"qtype": "int16"}');
  assert.equal(entryLine(insert), 3);
  const fresh = { position: { line: 0, character: 1 }, before: '\n  "node_config": {\n    ', after: "\n  }\n" };
  assert.equal(entryLine(fresh), 2);
});

test("the key of a node on its line", () => {
  assert.deepEqual(keyColumns('    "/conv1/Conv": {"qtype": "int16"},', "/conv1/Conv"), [4, 17]);
  assert.deepEqual(keyColumns("    /conv1/Conv:", "/conv1/Conv"), [4, 15]);
  assert.deepEqual(keyColumns("   something else  ", "/x"), [3, 17]);
  assert.equal(panelTitle("quant_config.json"), "Precision map: quant_config.json");
});
