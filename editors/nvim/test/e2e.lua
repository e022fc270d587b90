-- End-to-end test of the qcls Neovim plugin against the real server, used as a user would:
-- setup(), :edit a quant_config next to its model, then diagnostics, hover, code action and
-- completion through Neovim's LSP client. Run by test/run.sh (which prepares the folder).
--
-- Environment: QCLS_BIN (server), QCLS_DIR (folder with quant_config.json and the model).
-- Works on Neovim 0.7.2 (Debian 12) and later.

local TIMEOUT = tonumber(os.getenv("QCLS_TIMEOUT_MS") or "") or 20000
local bin = assert(os.getenv("QCLS_BIN"), "QCLS_BIN not set")
local dir = assert(os.getenv("QCLS_DIR"), "QCLS_DIR not set")
local config_path = dir .. "/quant_config.json"

local function out(msg)
  io.stdout:write(msg .. "\n")
  io.stdout:flush()
end

local function log_tail()
  local ok, path = pcall(vim.lsp.get_log_path)
  if not ok or vim.fn.filereadable(path) ~= 1 then
    return ""
  end
  local lines = vim.fn.readfile(path)
  local from = math.max(1, #lines - 30)
  return "\n--- last lines of " .. path .. ":\n" .. table.concat(vim.list_slice(lines, from, #lines), "\n")
end

local failed = false
local function fail(msg)
  failed = true
  error({ qcls_test_failure = msg }, 0)
end

local function check(cond, msg)
  if not cond then
    fail(msg)
  end
end

local function wait(ms, cond)
  return vim.wait(ms, cond, 50)
end

local function buf_text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
end

-- 0-based line and byte column of the first occurrence of `needle` (plain) in the buffer.
local function find(buf, needle, from_line)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  for i = (from_line or 0) + 1, #lines do
    local col = lines[i]:find(needle, 1, true)
    if col then
      return i - 1, col - 1
    end
  end
  fail(string.format("%q is not in the buffer:\n%s", needle, buf_text(buf)))
end

local function qcls_client(buf)
  local clients
  if vim.lsp.get_clients then
    clients = vim.lsp.get_clients({ bufnr = buf })
  else
    clients = vim.lsp.buf_get_clients(buf)
  end
  for _, c in pairs(clients) do
    if c.name == "qcls" then
      return c
    end
  end
  return nil
end

-- A synchronous request to the qcls client of `buf`; returns the result (or fails).
local function request(buf, method, params)
  local responses, err = vim.lsp.buf_request_sync(buf, method, params, TIMEOUT)
  check(responses ~= nil, method .. " got no response: " .. tostring(err))
  local client = qcls_client(buf)
  for id, resp in pairs(responses) do
    if client == nil or id == client.id then
      check(resp.err == nil, method .. " failed: " .. vim.inspect(resp.err))
      return resp.result
    end
  end
  fail(method .. ": qcls did not answer")
end

local function pos_params(buf, line, character)
  -- The test text is ASCII, so byte columns are UTF-16 columns too.
  return { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = character } }
end

local function hover_text(result)
  if result == nil or result.contents == nil then
    return ""
  end
  local c = result.contents
  local function one(x)
    if type(x) == "string" then
      return x
    end
    return x.value or ""
  end
  if type(c) == "table" and c.kind == nil and c.value == nil then
    local parts = {}
    for _, x in ipairs(c) do
      table.insert(parts, one(x))
    end
    return table.concat(parts, "\n")
  end
  return one(c)
end

local function codes(diags)
  local set = {}
  for _, d in ipairs(diags) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    if code then
      set[tostring(code)] = d
    end
  end
  return set
end

local function apply_action(buf, client, action)
  if action.edit == nil and action.command == nil and action.data ~= nil then
    local caps = client.server_capabilities or {}
    if type(caps.codeActionProvider) == "table" and caps.codeActionProvider.resolveProvider then
      action = request(buf, "codeAction/resolve", action)
    end
  end
  if action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or "utf-16")
  end
  local command = action.command
  if type(command) == "string" then
    command = action -- a bare Command
  end
  if command then
    -- The server answers with workspace/applyEdit, which Neovim's default handler applies.
    request(buf, "workspace/executeCommand", { command = command.command, arguments = command.arguments })
  end
end

local function run()
  vim.cmd("filetype on")
  vim.o.hidden = true -- the completion step leaves the buffer modified
  require("qcls").setup({ cmd = { bin }, settings = { locale = "en" } })
  out("ok - setup")

  vim.cmd("edit " .. vim.fn.fnameescape(config_path))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == "json", "filetype is " .. vim.bo[buf].filetype .. ", expected json")

  check(wait(TIMEOUT, function()
    local c = qcls_client(buf)
    return c ~= nil and c.server_capabilities ~= nil
  end), "qcls did not attach to " .. config_path .. " and initialize")
  local client = qcls_client(buf)
  out("ok - attached and initialized (client " .. client.id .. ")")

  -- Diagnostics ------------------------------------------------------------------------------
  local want = { "ec-wrong-input", "invalid-value" }
  local got = {}
  local diags_ok = wait(TIMEOUT, function()
    got = codes(vim.diagnostic.get(buf))
    for _, c in ipairs(want) do
      if not got[c] then
        return false
      end
    end
    return true
  end)
  if not diags_ok then
    fail("expected diagnostics " .. table.concat(want, ", ") .. "; got " .. vim.inspect(vim.diagnostic.get(buf)))
  end
  local ec = got["ec-wrong-input"]
  local ec_line = find(buf, '"input0": "ec"')
  check(ec.lnum == ec_line, string.format("ec-wrong-input is on line %d, expected %d", ec.lnum, ec_line))
  local inv_line = find(buf, '"int32"')
  check(got["invalid-value"].lnum == inv_line, "invalid-value is not on the line of \"int32\"")
  out("ok - diagnostics: ec-wrong-input (line " .. (ec_line + 1) .. "), invalid-value (line " .. (inv_line + 1) .. ")")

  -- Hover on a node name ---------------------------------------------------------------------
  local hl, hc = find(buf, '"/conv1/Conv"')
  local hover = hover_text(request(buf, "textDocument/hover", pos_params(buf, hl, hc + 3)))
  check(hover:find("int8", 1, true) ~= nil, "hover on /conv1/Conv does not mention int8:\n" .. hover)
  check(hover:find("Conv", 1, true) ~= nil, "hover on /conv1/Conv does not mention the op type Conv:\n" .. hover)
  -- Neovim's floating window shows Markdown tables as raw `| ... |` rows, so the server sends the
  -- precision table as aligned columns in a code block.
  check(hover:find("| input |", 1, true) == nil, "hover has a raw Markdown table:\n" .. hover)
  check(hover:find("```text\ninput  tensor", 1, true) ~= nil, "hover has no aligned table:\n" .. hover)
  out("ok - hover on /conv1/Conv shows int8 and Conv in an aligned table")

  -- Quick fix for ec-wrong-input, asked as `vim.lsp.buf.code_action()` asks it: the cursor on
  -- the key "input0" (not on the diagnostic's range, which is the value), a zero-width range at
  -- the cursor, and the line's diagnostics in the context.
  local il, ic = find(buf, '"input0"')
  vim.api.nvim_win_set_buf(0, buf)
  vim.api.nvim_win_set_cursor(0, { il + 1, ic + 2 })
  local params = vim.lsp.util.make_range_params()
  local line_diagnostics = {}
  if vim.lsp.diagnostic.get_line_diagnostics then
    line_diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf)
  end
  params.context = { diagnostics = line_diagnostics }
  check(params.range.start.character == params.range["end"].character, "make_range_params gave a non-empty range")
  local actions = request(buf, "textDocument/codeAction", params) or {}
  local chosen
  local titles = {}
  for _, a in ipairs(actions) do
    table.insert(titles, a.title)
    if chosen == nil and a.title:lower():find("move", 1, true) and a.title:find("input1", 1, true) then
      chosen = a
    end
  end
  check(chosen ~= nil, "no code action like \"Move `ec` to input1\"; got: " .. vim.inspect(titles))
  apply_action(buf, client, chosen)
  local moved = wait(TIMEOUT, function()
    local text = buf_text(buf)
    return text:find('"input1"%s*:%s*"ec"') ~= nil and text:find('"input0"%s*:%s*"ec"') == nil
  end)
  check(moved, "after \"" .. chosen.title .. "\" the buffer is:\n" .. buf_text(buf))
  out("ok - code action \"" .. chosen.title .. "\" moved ec to input1")

  -- The fix must also clear the diagnostic once the server re-checks the edited text.
  check(wait(TIMEOUT, function()
    return codes(vim.diagnostic.get(buf))["ec-wrong-input"] == nil
  end), "ec-wrong-input is still reported after the fix")
  out("ok - ec-wrong-input is gone after the fix")

  -- Completion of a node name at a node_config key -------------------------------------------
  local nl = find(buf, '"node_config"')
  vim.api.nvim_buf_set_lines(buf, nl + 1, nl + 1, false, { '    "": {},' })
  local cl, cc = find(buf, '"": {}', nl)
  local result = request(buf, "textDocument/completion", vim.tbl_extend("force", pos_params(buf, cl, cc + 1), {
    context = { triggerKind = 1 },
  }))
  local items = result and (result.items or result) or {}
  local node = "/layer1/layer1.0/conv1/Conv"
  local found
  for _, it in ipairs(items) do
    local te = it.textEdit and (it.textEdit.newText or "") or ""
    if it.label == node or it.label == '"' .. node .. '"' or te:find(node, 1, true) or (it.insertText or ""):find(node, 1, true) then
      found = it
      break
    end
  end
  if found == nil then
    local labels = {}
    for i = 1, math.min(#items, 15) do
      table.insert(labels, items[i].label)
    end
    fail(string.format("completion at a node_config key does not offer %s (%d items: %s)", node, #items, table.concat(labels, ", ")))
  end
  out(string.format("ok - completion at a node_config key offers %s (%d items)", node, #items))

  -- :QclsExplain asks the server for the buffer as it is (unsaved edits included) ---------------
  vim.api.nvim_buf_set_lines(buf, nl + 1, nl + 2, false, { '    "/maxpool/MaxPool": {"qtype": "float16"},' })
  vim.api.nvim_set_current_buf(buf)
  vim.cmd("QclsExplain")
  local shown = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  vim.cmd("close")
  check(shown:find("PRECISION", 1, true) ~= nil and shown:find("profile: nash", 1, true) ~= nil,
    ":QclsExplain shows no precision table:\n" .. shown)
  local pool = shown:match("\n(/maxpool/MaxPool[^\n]*)")
  check(pool ~= nil and pool:find("float16", 1, true) ~= nil,
    ":QclsExplain does not show the unsaved float16 of /maxpool/MaxPool:\n" .. shown)
  out("ok - :QclsExplain shows the unsaved text's precisions: " .. pool:gsub("%s+", " "))

  -- :QclsMap writes the precision map of the buffer as it is and opens it -----------------------
  vim.api.nvim_set_current_buf(buf)
  local opened
  require("qcls").config.map_open = function(path)
    opened = path
  end
  vim.cmd("QclsMap")
  check(opened ~= nil, ":QclsMap opened no page")
  local page = table.concat(vim.fn.readfile(opened), "\n")
  check(page:find("<!DOCTYPE html>", 1, true) == 1 and page:find("qcls-map-data", 1, true) ~= nil,
    ":QclsMap wrote no precision map page to " .. opened)
  local float16 = tonumber(page:match('"key":"float16"[^}]-"count":(%d+)') or "0")
  check(float16 >= 1, ":QclsMap's page has no float16 node: the unsaved /maxpool/MaxPool entry is not in it")
  out("ok - :QclsMap writes the unsaved text's precision map (" .. #page .. " bytes, " .. float16 .. " float16 node(s)) and opens it")

  -- Which buffers are served ------------------------------------------------------------------
  vim.cmd("edit " .. vim.fn.fnameescape(dir .. "/pairs.json"))
  local pairs_buf = vim.api.nvim_get_current_buf()
  check(wait(TIMEOUT, function()
    return qcls_client(pairs_buf) ~= nil
  end), "qcls did not attach to pairs.json (a JSON file with a top-level op_config)")
  check(qcls_client(pairs_buf).id == client.id, "pairs.json got a second qcls client instead of sharing the first")
  vim.cmd("edit " .. vim.fn.fnameescape(dir .. "/package.json"))
  local pkg_buf = vim.api.nvim_get_current_buf()
  wait(500, function()
    return qcls_client(pkg_buf) ~= nil
  end)
  check(qcls_client(pkg_buf) == nil, "qcls attached to package.json")
  out("ok - attached to pairs.json (by content, same client), not to package.json")

  -- An hb_compile YAML: attached, and its inline quant_config is checked --------------------
  vim.cmd("edit " .. vim.fn.fnameescape(dir .. "/config.yaml"))
  local yaml_buf = vim.api.nvim_get_current_buf()
  check(wait(TIMEOUT, function()
    return qcls_client(yaml_buf) ~= nil
  end), "qcls did not attach to config.yaml (an hb_compile YAML)")
  check(wait(TIMEOUT, function()
    return codes(vim.diagnostic.get(yaml_buf))["unknown-op-type"] ~= nil
  end), "no unknown-op-type for the inline quant_config's softmax in config.yaml")
  out("ok - attached to config.yaml and checked its inline quant_config (unknown-op-type)")
end

local ok, err = xpcall(run, function(e)
  if type(e) == "table" and e.qcls_test_failure then
    return e.qcls_test_failure
  end
  return debug.traceback(tostring(e), 2)
end)
if ok and not failed then
  out("PASS: qcls Neovim end-to-end test")
  vim.cmd("qall!")
else
  io.stderr:write("FAIL: " .. tostring(err) .. log_tail() .. "\n")
  io.stderr:flush()
  vim.cmd("cquit 1")
end
