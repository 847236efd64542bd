-- Headless Neovim end-to-end check of `wfspec serve` (works with the 0.7 API and later).
-- Environment: WFSPEC_PYTHON (interpreter), WFSPEC_FILE (a copy of fixtures/faulty.sw.yaml).
-- Prints OK/FAIL lines and exits 0 only when diagnostics, completion and a quick fix all work.
local PY, FILE = os.getenv('WFSPEC_PYTHON'), os.getenv('WFSPEC_FILE')

local function out(s) io.stdout:write(s .. '\n') end
local function fail(s) out('FAIL: ' .. s); vim.cmd('cquit 1') end
local function check(cond, s) if cond then out('OK: ' .. s) else fail(s) end end

vim.cmd('edit ' .. FILE)
local buf = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = 'wfspec',
  cmd = { PY, '-m', 'wfspec.cli', 'serve' },
  root_dir = vim.fn.fnamemodify(FILE, ':h'),
  init_options = { debounceMs = 0 },
})
check(client_id ~= nil, 'client started')
vim.lsp.buf_attach_client(buf, client_id)

-- 1. diagnostics after didOpen: the typo'd target and the duplicate task
local function codes()
  local got = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(got, (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or d.code or '?')
  end
  table.sort(got)
  return table.concat(got, ',')
end
check(vim.wait(30000, function() return #vim.diagnostic.get(buf) >= 2 end, 50), 'diagnostics arrived: ' .. codes())
check(codes() == 'duplicate-id,unknown-target', 'diagnostic codes ' .. codes())

-- 2. completion after "then: " offers the other tasks of the scope, never the task itself
local then_line
for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
  if l:match('then: finsh') then then_line = i end
end
vim.api.nvim_win_set_cursor(0, { then_line, #'      then: ' })
local resp = vim.lsp.buf_request_sync(buf, 'textDocument/completion', vim.lsp.util.make_position_params(), 10000)
local res = resp and resp[client_id] and resp[client_id].result
local labels = {}
for _, item in ipairs(res and (res.items or res) or {}) do labels[item.label] = true end
check(labels['finish'] and labels['end'] and not labels['start'], 'completion: ' .. vim.inspect(vim.tbl_keys(labels)))

-- 3. the preferred quick fix for the unknown target, applied
local params = vim.lsp.util.make_range_params()
params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf, then_line - 1) }
resp = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000)
local actions = resp and resp[client_id] and resp[client_id].result or {}
local fix
for _, a in ipairs(actions) do if a.isPreferred then fix = a end end
check(fix ~= nil and fix.title == 'Change to "finish"', 'preferred quick fix: ' .. tostring(fix and fix.title))
vim.lsp.util.apply_workspace_edit(fix.edit, 'utf-16')
local fixed = vim.api.nvim_buf_get_lines(buf, then_line - 1, then_line, false)[1]
check(fixed == '      then: finish', 'after the fix: ' .. vim.inspect(fixed))
check(vim.wait(10000, function() return codes() == 'duplicate-id' end, 50), 'diagnostics after the fix: ' .. codes())

vim.lsp.stop_client(client_id)
vim.wait(3000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
out('ALL OK')
vim.cmd('qall!')
