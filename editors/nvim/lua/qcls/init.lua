-- qcls: the quant_config language server for Neovim 0.7 – 0.11+.
--
--   require("qcls").setup({
--     cmd = { "qcls" },                      -- the server command
--     settings = {                           -- sent as init_options = { qcls = settings }
--       model = "build/optimized_float_model.onnx",   -- relative to the root dir
--       locale = "en",                                 -- or "zh-CN"
--       march = "bayes-e",                             -- the chip: picks the toolchain profile
--       toolchain = "oe3",                             -- or "hmct-2.8"
--       diagnostics = { ["legacy-key"] = "off" },
--     },
--   })
--
-- A buffer is served when its file name contains "quant_config", or when it is a json/jsonc
-- buffer whose first lines have a top-level "model_config"/"op_config"/"node_config"/
-- "subgraph_config" key. The server ignores other JSON anyway (it answers nothing for it).

local M = {}

local api = vim.api
local uv = vim.uv or vim.loop

local TOP_LEVEL_KEYS = { "model_config", "op_config", "node_config", "subgraph_config" }

M.defaults = {
  cmd = { "qcls" },
  settings = {},
  -- Buffers of these filetypes are checked for quant_config content.
  filetypes = { "json", "jsonc", "yaml" },
  -- File names containing one of these plain substrings are always served.
  patterns = { "quant_config" },
  -- How many lines of a json buffer to look at for a top-level quant_config key.
  max_lines = 200,
  -- The root dir is the nearest ancestor holding one of these, else the file's folder.
  root_markers = { ".git" },
  -- Refresh code lenses (the paired model is shown as a lens on line 1).
  codelens = true,
  -- Enable inlay hints (Neovim 0.10+).
  inlay_hints = false,
  -- Use vim.lsp.config/vim.lsp.enable when the Neovim has them (0.11+). false: always use the
  -- 0.7-compatible start_client/buf_attach_client path.
  use_lsp_enable = true,
  on_attach = nil,
  capabilities = nil,
  name = "qcls",
  -- :QclsMap opens the page it writes with this: a function(path), a command list (the path is
  -- appended), false to only write it, or nil for vim.ui.open (0.10+) / xdg-open / open.
  map_open = nil,
}

M.config = vim.deepcopy(M.defaults)

local attached_roots = {} -- root dir -> client id (the start_client path)

local function notify(msg, level)
  vim.schedule(function()
    vim.notify("qcls: " .. msg, level or vim.log.levels.WARN)
  end)
end

--- True when `name` (a path) has one of the configured patterns in its file name.
function M.name_matches(name, patterns)
  local base = vim.fn.fnamemodify(name, ":t")
  for _, p in ipairs(patterns or M.config.patterns) do
    if base:find(p, 1, true) then
      return true
    end
  end
  return false
end

--- True when `lines` look like a quant_config: one of the four top-level keys, as a key (followed
--- by ':'), at object depth 1. Strings and // /* */ comments are skipped so that braces inside
--- them do not count. Cheap, and tolerant of broken text.
function M.lines_look_like_quant_config(lines)
  local depth = 0
  local in_block_comment = false
  for _, line in ipairs(lines) do
    local i, n = 1, #line
    while i <= n do
      local c = line:sub(i, i)
      if in_block_comment then
        local e = line:find("*/", i, true)
        if not e then
          break
        end
        in_block_comment = false
        i = e + 2
      elseif c == "/" and line:sub(i + 1, i + 1) == "/" then
        break
      elseif c == "/" and line:sub(i + 1, i + 1) == "*" then
        in_block_comment = true
        i = i + 2
      elseif c == "{" or c == "[" then
        depth = depth + 1
        i = i + 1
      elseif c == "}" or c == "]" then
        depth = depth - 1
        i = i + 1
      elseif c == '"' then
        local j = i + 1
        while j <= n do
          local cj = line:sub(j, j)
          if cj == "\\" then
            j = j + 2
          elseif cj == '"' then
            break
          else
            j = j + 1
          end
        end
        if depth == 1 then
          local key = line:sub(i + 1, j - 1)
          if line:find("^%s*:", j + 1) then
            for _, k in ipairs(TOP_LEVEL_KEYS) do
              if key == k then
                return true
              end
            end
          end
        end
        i = j + 1
      else
        i = i + 1
      end
    end
  end
  return false
end

--- True when YAML lines look like an hb_compile config (a top-level section among the first
--- lines); the server decides for good and answers nothing for other YAML.
function M.lines_look_like_hb_compile(lines)
  for _, line in ipairs(lines) do
    for _, k in ipairs({ "model_parameters", "input_parameters", "calibration_parameters", "compiler_parameters" }) do
      if line:find("^" .. k .. "%s*:") then
        return true
      end
    end
  end
  return false
end

local function contains(list, value)
  for _, v in ipairs(list or {}) do
    if v == value then
      return true
    end
  end
  return false
end

--- True when buffer `bufnr` should be served by qcls.
function M.is_quant_config(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  if not api.nvim_buf_is_valid(bufnr) then
    return false
  end
  local name = api.nvim_buf_get_name(bufnr)
  if name ~= "" and M.name_matches(name) then
    return true
  end
  if not contains(M.config.filetypes, vim.bo[bufnr].filetype) then
    return false
  end
  local lines = api.nvim_buf_get_lines(bufnr, 0, M.config.max_lines, false)
  if vim.bo[bufnr].filetype == "yaml" then
    return M.lines_look_like_hb_compile(lines)
  end
  return M.lines_look_like_quant_config(lines)
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

--- The nearest ancestor of `path` (a file) holding a root marker, else the file's folder.
function M.root_dir(path)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local start = dir
  while true do
    for _, marker in ipairs(M.config.root_markers) do
      if exists(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      return start
    end
    dir = parent
  end
end

local function buf_root(bufnr)
  local name = api.nvim_buf_get_name(bufnr)
  if name == "" then
    return uv.cwd()
  end
  return M.root_dir(name)
end

--- The settings as sent to the server: { model?, locale?, march?, toolchain?, diagnostics = {} } (diagnostics is
--- always a JSON object, also when empty).
function M.server_settings(settings)
  settings = settings or M.config.settings or {}
  local out = vim.deepcopy(settings)
  if out.diagnostics == nil or next(out.diagnostics) == nil then
    out.diagnostics = vim.empty_dict()
  end
  return out
end

local function setup_buffer_features(client, bufnr)
  local caps = client.server_capabilities or {}
  if M.config.codelens and caps.codeLensProvider and vim.lsp.codelens then
    local group = api.nvim_create_augroup("qcls_codelens_" .. bufnr, { clear = true })
    local function refresh()
      if api.nvim_get_current_buf() == bufnr then
        pcall(vim.lsp.codelens.refresh)
      end
    end
    api.nvim_create_autocmd({ "BufEnter", "InsertLeave", "BufWritePost", "CursorHold" }, {
      group = group,
      buffer = bufnr,
      callback = refresh,
    })
    vim.schedule(refresh)
  end
  if M.config.inlay_hints and caps.inlayHintProvider and vim.lsp.inlay_hint then
    -- 0.10 takes (true, {bufnr=}), the 0.10 pre-release took (bufnr, true).
    if not pcall(vim.lsp.inlay_hint.enable, true, { bufnr = bufnr }) then
      pcall(vim.lsp.inlay_hint.enable, bufnr, true)
    end
  end
end

--- The client configuration (shared by every code path).
function M.client_config(root)
  local cfg = M.config
  local settings = M.server_settings(cfg.settings)
  return {
    name = cfg.name,
    cmd = cfg.cmd,
    root_dir = root,
    workspace_folders = root and { { uri = vim.uri_from_fname(root), name = root } } or nil,
    init_options = { qcls = settings },
    -- Answers workspace/configuration (section "qcls") through Neovim's default handler.
    settings = { qcls = settings },
    capabilities = cfg.capabilities or vim.lsp.protocol.make_client_capabilities(),
    filetypes = cfg.filetypes,
    on_attach = function(client, bufnr)
      setup_buffer_features(client, bufnr)
      if cfg.on_attach then
        cfg.on_attach(client, bufnr)
      end
    end,
  }
end

-- Client methods are called with ':' from 0.11 on (the '.' form is deprecated there), with '.'
-- before (where they are closures that do not take self).
local HAS_011 = vim.fn.has("nvim-0.11") == 1
local function call(client, method, ...)
  if HAS_011 then
    return client[method](client, ...)
  end
  return client[method](...)
end

local function client_alive(id)
  local client = id and vim.lsp.get_client_by_id(id)
  return client ~= nil and not call(client, "is_stopped")
end

local function qcls_clients()
  local name = M.config.name
  local all = vim.lsp.get_clients and vim.lsp.get_clients({ name = name }) or vim.lsp.get_active_clients()
  local out = {}
  for _, c in pairs(all) do
    if c.name == name then
      table.insert(out, c)
    end
  end
  return out
end

local function buf_has_client(bufnr, name)
  local clients
  if vim.lsp.get_clients then
    clients = vim.lsp.get_clients({ bufnr = bufnr, name = name })
  else
    clients = vim.lsp.buf_get_clients(bufnr)
  end
  for _, c in pairs(clients) do
    if c.name == name then
      return true
    end
  end
  return false
end

--- Starts (or reuses) the server for `bufnr` and attaches it, when the buffer is a quant_config.
--- Returns the client id, or nil.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  if not api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  if not M.is_quant_config(bufnr) then
    return nil
  end
  if buf_has_client(bufnr, M.config.name) then
    return nil
  end
  if vim.fn.executable(M.config.cmd[1]) ~= 1 then
    notify(string.format("%q is not executable; install qcls or pass cmd to require('qcls').setup()", M.config.cmd[1]), vim.log.levels.ERROR)
    return nil
  end
  local root = buf_root(bufnr)
  if vim.lsp.start then
    -- 0.8+: reuses a running client with the same name and root dir. 0.8 attaches the current
    -- buffer (opts.bufnr came later), hence nvim_buf_call.
    local id
    api.nvim_buf_call(bufnr, function()
      id = vim.lsp.start(M.client_config(root), { bufnr = bufnr })
    end)
    if id then
      vim.lsp.buf_attach_client(bufnr, id)
    end
    return id
  end
  local id = attached_roots[root]
  if not client_alive(id) then
    id = vim.lsp.start_client(M.client_config(root))
    if not id then
      notify("could not start " .. table.concat(M.config.cmd, " "), vim.log.levels.ERROR)
      return nil
    end
    attached_roots[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- Sends new settings to the running servers (workspace/didChangeConfiguration).
function M.update_settings(settings)
  M.config.settings = settings or {}
  local payload = M.server_settings(M.config.settings)
  for _, c in ipairs(qcls_clients()) do
    c.config.settings = { qcls = payload }
    call(c, "notify", "workspace/didChangeConfiguration", { settings = { qcls = payload } })
  end
end

--- The qcls client attached to a buffer, if any.
local function buf_client(bufnr)
  for _, c in ipairs(qcls_clients()) do
    local attached = c.attached_buffers and c.attached_buffers[bufnr]
    if attached or (vim.lsp.buf_is_attached and vim.lsp.buf_is_attached(bufnr, c.id)) then
      return c
    end
  end
  return nil
end

--- The lines to show for a `qcls/explain` answer (the server renders the table).
function M.explain_lines(result)
  if type(result) ~= "table" then
    return { "qcls: this buffer is not a quant_config" }
  end
  local lines = {}
  if type(result.summary) == "string" then
    table.insert(lines, result.summary)
  end
  if type(result.problem) == "string" then
    table.insert(lines, result.problem)
  elseif type(result.table) == "string" then
    vim.list_extend(lines, vim.split(result.table, "\n", { plain = true, trimempty = true }))
  end
  return lines
end

--- Shows the effective precision of every node of the buffer in a scratch split: the server's
--- `qcls/explain` answer for the text as it is in the buffer (unsaved edits included), paired
--- as the diagnostics are.
function M.explain(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local client = buf_client(bufnr)
  if client == nil then
    notify("qcls is not attached to this buffer")
    return
  end
  local params = { textDocument = vim.lsp.util.make_text_document_params(bufnr) }
  local response, err = call(client, "request_sync", "qcls/explain", params, 20000, bufnr)
  if response == nil or response.err ~= nil then
    notify("qcls/explain failed: " .. tostring(err or (response and response.err and response.err.message)), vim.log.levels.ERROR)
    return
  end
  local result = response.result
  if result == vim.NIL then
    result = nil
  end
  local name = vim.fn.fnamemodify(api.nvim_buf_get_name(bufnr), ":t")
  vim.cmd("botright new")
  local scratch = api.nvim_get_current_buf()
  vim.bo[scratch].buftype = "nofile"
  vim.bo[scratch].bufhidden = "wipe"
  vim.bo[scratch].swapfile = false
  api.nvim_buf_set_lines(scratch, 0, -1, false, M.explain_lines(result))
  vim.bo[scratch].modifiable = false
  pcall(api.nvim_buf_set_name, scratch, "qcls explain: " .. name)
end

--- Where :QclsMap writes the page of a buffer: one file per config name, replaced each time.
function M.map_path(bufnr)
  local name = vim.fn.fnamemodify(api.nvim_buf_get_name(bufnr), ":t")
  if name == "" then
    name = "untitled"
  end
  local dir = vim.fn.stdpath("cache") .. "/qcls"
  vim.fn.mkdir(dir, "p")
  return dir .. "/" .. name:gsub("[^%w%._-]", "_") .. ".precision-map.html"
end

--- Opens `path` in the browser as the `map_open` option says.
local function open_page(path)
  local opener = M.config.map_open
  if opener == false then
    return
  end
  if type(opener) == "function" then
    opener(path)
    return
  end
  local cmd
  if type(opener) == "table" then
    cmd = vim.deepcopy(opener)
    table.insert(cmd, path)
  elseif vim.ui and vim.ui.open then
    vim.ui.open(path)
    return
  elseif vim.fn.has("mac") == 1 then
    cmd = { "open", path }
  else
    cmd = { "xdg-open", path }
  end
  if vim.fn.jobstart(cmd, { detach = true }) <= 0 then
    notify("could not run " .. cmd[1] .. "; open " .. path .. " in a browser", vim.log.levels.WARN)
  end
end

--- Writes the precision map of the buffer as it is (unsaved edits included, paired as the
--- diagnostics are; the server's `qcls/precisionMap` page) and opens it in the browser.
--- Returns the path written, or nil.
function M.map(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local client = buf_client(bufnr)
  if client == nil then
    notify("qcls is not attached to this buffer")
    return nil
  end
  local params = { textDocument = vim.lsp.util.make_text_document_params(bufnr), html = true }
  local response, err = call(client, "request_sync", "qcls/precisionMap", params, 60000, bufnr)
  if response == nil or response.err ~= nil then
    notify("qcls/precisionMap failed: " .. tostring(err or (response and response.err and response.err.message)), vim.log.levels.ERROR)
    return nil
  end
  local result = response.result
  if type(result) ~= "table" then
    notify("this buffer is not a quant_config")
    return nil
  end
  if type(result.problem) == "string" then
    notify(result.problem)
    return nil
  end
  if type(result.html) ~= "string" then
    notify("the server sent no page", vim.log.levels.ERROR)
    return nil
  end
  local path = M.map_path(bufnr)
  local file, open_err = io.open(path, "wb")
  if file == nil then
    notify("cannot write " .. path .. ": " .. tostring(open_err), vim.log.levels.ERROR)
    return nil
  end
  file:write(result.html)
  file:close()
  vim.schedule(function()
    vim.notify("qcls: precision map in " .. path, vim.log.levels.INFO)
  end)
  open_page(path)
  return path
end

--- Sets qcls up: remembers opts, and attaches to matching buffers now and from now on.
function M.setup(opts)
  opts = opts or {}
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts)
  -- Lists replace the defaults instead of being merged index by index.
  for _, key in ipairs({ "cmd", "filetypes", "patterns", "root_markers" }) do
    if opts[key] ~= nil then
      M.config[key] = vim.deepcopy(opts[key])
    end
  end
  if type(M.config.cmd) == "string" then
    M.config.cmd = { M.config.cmd }
  end
  attached_roots = {}

  local use_enable = M.config.use_lsp_enable and vim.lsp.config ~= nil and vim.lsp.enable ~= nil
    and vim.fn.has("nvim-0.11") == 1
  if use_enable then
    -- 0.11+: the built-in mechanism. root_dir(bufnr, on_dir) attaches only when on_dir is
    -- called, i.e. only to quant_config buffers.
    local cfg = M.client_config(nil)
    cfg.root_dir = function(bufnr, on_dir)
      if M.is_quant_config(bufnr) then
        on_dir(buf_root(bufnr))
      end
    end
    cfg.workspace_folders = nil
    vim.lsp.config(M.config.name, cfg)
    vim.lsp.enable(M.config.name)
    -- Buffers named *quant_config* whose filetype is not json/jsonc still get attached below.
  end

  local group = api.nvim_create_augroup("qcls", { clear = true })
  local function try(args)
    local bufnr = args.buf
    if use_enable and contains(M.config.filetypes, vim.bo[bufnr].filetype) then
      return -- vim.lsp.enable handles these
    end
    M.attach(bufnr)
  end
  api.nvim_create_autocmd("FileType", { group = group, pattern = M.config.filetypes, callback = try })
  local name_globs = {}
  for _, p in ipairs(M.config.patterns) do
    table.insert(name_globs, "*" .. p .. "*")
  end
  api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, { group = group, pattern = name_globs, callback = try })

  api.nvim_create_user_command("QclsExplain", function()
    M.explain(0)
  end, { desc = "qcls: show the effective precision of every node" })
  api.nvim_create_user_command("QclsMap", function()
    M.map(0)
  end, { desc = "qcls: write the precision map of the buffer and open it in the browser" })
  api.nvim_create_user_command("QclsRestart", function()
    local bufs = {}
    for _, c in ipairs(qcls_clients()) do
      for b in pairs(c.attached_buffers or {}) do
        table.insert(bufs, b)
      end
      call(c, "stop")
    end
    attached_roots = {}
    vim.defer_fn(function()
      for _, b in ipairs(bufs) do
        if api.nvim_buf_is_valid(b) then
          M.attach(b)
        end
      end
    end, 500)
  end, { desc = "qcls: restart the language server" })

  -- Buffers that were open before setup() (vim.lsp.start reuses the client vim.lsp.enable
  -- would start, so this never starts a second one).
  for _, bufnr in ipairs(api.nvim_list_bufs()) do
    if api.nvim_buf_is_loaded(bufnr) then
      M.attach(bufnr)
    end
  end
end

return M
