import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cell, code, renderExplainMarkdown } from "../explainMarkdown";

const sample = {
  model: { path: "/data/resnet18/optimized_float_model.onnx", reason: "next to the config" },
  nodes: [
    {
      name: "/conv1/Conv",
      op_type: "Conv",
      inputs: [
        { index: 0, tensor: "input", precision: "int16", source: { path: "node_config./conv1/Conv.input0", line: 4 } },
        { index: 1, tensor: "onnx::Conv_193", precision: "ec", source: { path: "node_config./conv1/Conv.input1", line: 5 } },
        { index: 2, tensor: "onnx::Conv_194", precision: "int8", source: null },
      ],
    },
    {
      name: "/relu/Relu",
      op_type: "Relu",
      inputs: [{ index: 0, tensor: "/conv1/Conv_output_0", precision: "float16", source: { path: "op_config.Relu.qtype", line: 9 } }],
    },
    { name: "/Resize", op_type: "Resize", inputs: [{ index: 1, tensor: "", precision: null, source: null }] },
  ],
};

describe("renderExplainMarkdown", () => {
  const md = renderExplainMarkdown(sample, { fileName: "quant_config.json" });
  const lines = md.split("\n");

  it("has a title and names the model and why it was paired", () => {
    assert.equal(lines[0], "# Effective precision — quant_config.json");
    assert.ok(md.includes("**Model:** `/data/resnet18/optimized_float_model.onnx` — next to the config"));
  });

  it("renders one row per input, with the node name only on its first row", () => {
    const rows = lines.filter((l) => l.startsWith("| ") && !l.startsWith("| Node"));
    assert.deepEqual(rows, [
      "| `/conv1/Conv` | Conv | 0 | `input` | int16 | `node_config./conv1/Conv.input0` (line 5) |",
      "|  |  | 1 | `onnx::Conv_193` | **ec** (int8 with error compensation) | `node_config./conv1/Conv.input1` (line 6) |",
      "|  |  | 2 | `onnx::Conv_194` | int8 | default |",
      "| `/relu/Relu` | Relu | 0 | `/conv1/Conv_output_0` | float16 | `op_config.Relu.qtype` (line 10) |",
      "| `/Resize` | Resize | 1 | *(absent)* | — | default |",
    ]);
    const header = lines.indexOf("| Node | Op type | Input | Tensor | Precision | Decided by |");
    assert.ok(header > 0);
    assert.equal(lines[header + 1], "|---|---|---:|---|---|---|");
  });

  it("escapes pipes and backticks so a name cannot break the table", () => {
    assert.equal(cell("a|b\nc"), "a\\|b c");
    assert.equal(code("x`y"), "``x`y``");
    assert.equal(code("`x"), "`` `x ``");
    assert.equal(code("a|b"), "`a\\|b`");
    const odd = renderExplainMarkdown({ nodes: [{ name: "n|1", op_type: "A|B", inputs: [] }] });
    assert.ok(odd.includes("| `n\\|1` | A\\|B | | | — | |"), odd);
  });

  it("says when no model is paired and when the model has no nodes", () => {
    const md2 = renderExplainMarkdown({ model: null, nodes: [] });
    assert.ok(md2.includes("**Model:** none paired"));
    assert.ok(md2.includes("The model has no nodes."));
  });

  it("shows anything it does not understand as raw JSON instead of dropping it", () => {
    const weird = renderExplainMarkdown([1, 2, 3], { fileName: "q.json" });
    assert.ok(weird.startsWith("# Effective precision — q.json"));
    assert.ok(weird.includes("```json\n[\n  1,\n  2,\n  3\n]\n```"));

    const partial = renderExplainMarkdown({ nodes: [42, { name: "/a", op_type: "Add", inputs: ["x"] }], outputs: { y: "int16" } });
    assert.ok(partial.includes("## Entries not shown above"));
    assert.ok(partial.includes("42"));
    assert.ok(partial.includes("## Other fields"));
    assert.ok(partial.includes('"y": "int16"'));
    assert.ok(partial.includes('| `/a` | Add | | | `"x"` | |'), partial);
  });

  it("accepts a source given as a plain string and a model given as a string", () => {
    const md3 = renderExplainMarkdown({
      model: "m.onnx",
      nodes: [{ name: "/c", op_type: "Conv", inputs: [{ index: 0, tensor: "t", precision: "int8", source: "model_config.all_node_type" }] }],
    });
    assert.ok(md3.includes("**Model:** `m.onnx`"));
    assert.ok(md3.includes("| int8 | model_config.all_node_type |"));
  });
});

describe("what the server adds", () => {
  it("shows the profile and the problem, and no empty table, when nothing can be explained", () => {
    const md = renderExplainMarkdown({
      model: null,
      profile: { name: "bayes", reason: "bayes (march bayes-e from the qcls.march setting)" },
      nodes: [],
      outputs: [],
      summary: "qcls: no model paired",
      problem: "no model is paired, so there is nothing to explain",
    });
    assert.ok(md.includes("**Profile:** bayes (march bayes-e from the qcls.march setting)"), md);
    assert.ok(md.includes("> no model is paired, so there is nothing to explain"), md);
    assert.ok(!md.includes("The model has no nodes."), md);
  });
});
