-- Drives faaslint's language server from a real Neovim: open a handler, wait for the finding,
-- hover it, apply "Disable ... for this line", and wait for the finding to go. Writes what it
-- saw as JSON to $FAASLINT_OUT, then quits.
local root = vim.env.FAASLINT_ROOT
local out = vim.env.FAASLINT_OUT
local result = { nvim = tostring(vim.version()) }

local function finish()
  vim.fn.writefile({ vim.json.encode(result) }, out)
  vim.cmd("qa!")
end

local ok, err = pcall(function()
  vim.cmd.edit(root .. "/src/app.ts")
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start({ name = "faaslint", cmd = { vim.env.FAASLINT_BIN, "lsp" }, root_dir = root })
  result.started = client_id ~= nil
  local function wait_for(predicate)
    return vim.wait(20000, function() return predicate(vim.diagnostic.get(buf)) end, 50)
  end
  result.found = wait_for(function(d) return #d > 0 end)
  local diagnostics = vim.diagnostic.get(buf)
  result.codes = vim.tbl_map(function(d) return d.code end, diagnostics)
  local first = diagnostics[1]
  result.line = first.lnum
  local client = vim.lsp.get_client_by_id(client_id)
  local uri = vim.uri_from_bufnr(buf)
  local hover = client:request_sync("textDocument/hover",
    { textDocument = { uri = uri }, position = { line = first.lnum, character = first.col + 1 } }, 10000, buf)
  result.hover = hover.result.contents.value
  local actions = client:request_sync("textDocument/codeAction", {
    textDocument = { uri = uri },
    range = { start = { line = first.lnum, character = 0 }, ["end"] = { line = first.lnum, character = 0 } },
    context = { diagnostics = {} },
  }, 10000, buf)
  local action = actions.result[1]
  result.action = action.title
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  result.inserted = vim.api.nvim_buf_get_lines(buf, first.lnum, first.lnum + 1, false)[1]
  result.gone = wait_for(function(d) return #d == 0 end)
end)
if not ok then
  result.error = tostring(err)
end
finish()
