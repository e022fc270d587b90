-- Tests of the plugin's detection, root and settings logic; no server needed.
-- Run by test/unit.sh (and by test/run.sh before the end-to-end test).
local qcls = require("qcls")
local failures = 0
local function eq(got, want, what)
  if not vim.deep_equal(got, want) then
    failures = failures + 1
    io.stderr:write(string.format("FAIL: %s: got %s, want %s\n", what, vim.inspect(got), vim.inspect(want)))
  end
end

local look = qcls.lines_look_like_quant_config
eq(look({ "{", '  "node_config": {', '    "/conv1/Conv": {"qtype": "int16"}', "  }", "}" }), true, "top-level node_config")
eq(look({ '{"model_config":{"all_node_type":"int16"}}' }), true, "one-line model_config")
eq(look({ "// a comment {", "{", '  "subgraph_config" : {}', "}" }), true, "comment before the object")
eq(look({ "{", '  "op_config"', "  : {}" }), false, "key and colon on different lines are not recognised (cheap heuristic)")
eq(look({ '{"a": {"node_config": {}}}' }), false, "nested node_config is not top level")
eq(look({ "{ // \"node_config\": {}", "}" }), false, "in a // comment")
eq(look({ "{ /* \"op_config\": {}", "*/ }" }), false, "in a /* */ comment")
eq(look({ '{"x": "\\"node_config\\": 1"}' }), false, "inside a string value")
eq(look({ '{"x": "node_config"}' }), false, "as a value")
eq(look({ '{"name": "pkg", "version": "1.0.0"}' }), false, "package.json")
eq(look({}), false, "empty")

eq(qcls.name_matches("/a/b/my_quant_config.json"), true, "name with quant_config")
eq(qcls.name_matches("/a/quant_config/settings.json"), false, "only the file name counts")
eq(qcls.name_matches("/a/b/package.json"), false, "package.json")

-- hb_compile YAMLs are recognised by a top-level section; other YAML is not.
local hb = qcls.lines_look_like_hb_compile
eq(hb({ "# conversion", "model_parameters:", "  march: nash-e" }), true, "hb_compile YAML")
eq(hb({ "calibration_parameters:", "  quant_config: {}" }), true, "calibration section")
eq(hb({ "jobs:", "  model_parameters: 1" }), false, "an indented key is no section")
eq(hb({ "name: ci" }), false, "other YAML")

qcls.setup({ cmd = { "true" } })
eq(qcls.config.filetypes, { "json", "jsonc", "yaml" }, "default filetypes")
qcls.setup({ cmd = "qcls", filetypes = { "json" } })
eq(qcls.config.filetypes, { "json" }, "filetypes replace the defaults")
eq(qcls.config.cmd, { "qcls" }, "a string cmd becomes a list")
qcls.setup({ cmd = { "definitely-not-a-qcls-binary" } })

local function scratch(name, ft, lines)
  local b = vim.api.nvim_create_buf(true, false)
  vim.api.nvim_buf_set_name(b, name)
  vim.api.nvim_buf_set_lines(b, 0, -1, false, lines)
  vim.bo[b].filetype = ft
  return b
end
local tmp = vim.fn.tempname()
eq(qcls.is_quant_config(scratch(tmp .. "/x/my_quant_config.json", "json", {})), true, "empty buffer named *quant_config*")
eq(qcls.is_quant_config(scratch(tmp .. "/x/pairs.json", "json", { "{", '  "op_config": {"Conv": {"qtype": "int16"}}', "}" })), true, "json with op_config")
eq(qcls.is_quant_config(scratch(tmp .. "/x/package.json", "json", { '{"name": "x"}' })), false, "package.json buffer")
eq(qcls.is_quant_config(scratch(tmp .. "/x/c.yaml", "yaml", { "op_config: {}" })), false, "yaml buffer")
eq(qcls.is_quant_config(scratch(tmp .. "/x/c.jsonc", "jsonc", { "{", "// x", '"node_config": {}', "}" })), true, "jsonc buffer")

vim.fn.mkdir(tmp .. "/repo/.git", "p")
vim.fn.mkdir(tmp .. "/repo/a/b", "p")
vim.fn.mkdir(tmp .. "/loose/c", "p")
eq(qcls.root_dir(tmp .. "/repo/a/b/quant_config.json"), vim.fn.resolve(tmp .. "/repo"), "root at the .git folder")
eq(qcls.root_dir(tmp .. "/loose/c/quant_config.json"), vim.fn.resolve(tmp .. "/loose/c"), "no marker: the file's folder")

eq(vim.json.decode(vim.json.encode(qcls.server_settings({}))), { diagnostics = {} }, "settings always carry diagnostics")
eq(vim.json.encode(qcls.server_settings({})), '{"diagnostics":{}}', "empty diagnostics encode as an object")
eq(
  qcls.server_settings({ model = "m.onnx", locale = "zh-CN", diagnostics = { ["legacy-key"] = "off" } }),
  { model = "m.onnx", locale = "zh-CN", diagnostics = { ["legacy-key"] = "off" } },
  "settings pass through"
)
local cfg = qcls.client_config("/r")
eq(cfg.init_options.qcls.diagnostics ~= nil, true, "init_options = {qcls = settings}")
eq(cfg.settings.qcls ~= nil, true, "settings = {qcls = ...} answers workspace/configuration")

if failures > 0 then
  io.stderr:write(failures .. " failure(s)\n")
  vim.cmd("cquit 1")
else
  io.stdout:write("PASS: qcls Neovim plugin unit tests\n")
  vim.cmd("qall!")
end
