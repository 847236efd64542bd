-- Headless Neovim check of a docs/editors.md snippet (loaded as init.lua before this script):
-- opens WFSPEC_FILE (a copy of fixtures/faulty.sw.yaml) as a user would, waits for the client
-- the snippet started, and checks diagnostics, completion, a quick fix, and that a comment
-- describing steps gets the "Generate from comment" code action (and, in Neovim up to 0.10,
-- which drops a completion item's command, no completion item that would need it).
-- Prints OK/FAIL lines and exits 0 only when every check passed. Works with the 0.7 API and later.
local FILE = os.getenv('WFSPEC_FILE')

local function out(s) io.stdout:write(s .. '\n') end
local function fail(s) out('FAIL: ' .. s); vim.cmd('cquit 1') end
local function check(cond, s) if cond then out('OK: ' .. s) else fail(s) end end

vim.cmd('filetype on')  -- Neovim's default; `-u init.lua` in a batch run keeps it, this makes sure
vim.cmd('edit ' .. FILE)
local buf = vim.api.nvim_get_current_buf()
check(vim.bo[buf].filetype == 'yaml', 'filetype ' .. vim.bo[buf].filetype)

local function wfspec_client()
  for _, c in pairs(vim.lsp.buf_get_clients(buf)) do
    if c.name == 'wfspec' then return c end
  end
end
check(vim.wait(20000, function() return wfspec_client() ~= nil and wfspec_client().initialized end, 50),
  'the snippet attached wfspec to the buffer')
local client = wfspec_client()

local function request(method, params)
  local resp = vim.lsp.buf_request_sync(buf, method, params, 15000)
  local r = resp and resp[client.id]
  return r and r.result, r and r.err
end

-- 1. diagnostics: the typo'd target and the duplicate task
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
local res = request('textDocument/completion', vim.lsp.util.make_position_params())
local labels = {}
for _, item in ipairs(res and (res.items or res) or {}) do labels[item.label] = true end
check(labels['finish'] and labels['end'] and not labels['start'], 'completion: ' .. vim.inspect(vim.tbl_keys(labels)))

-- 3. the preferred quick fix for the unknown target, applied
local params = vim.lsp.util.make_range_params()
params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf, then_line - 1) }
local actions = request('textDocument/codeAction', params) or {}
local fix
for _, a in ipairs(actions) do if a.isPreferred then fix = a end end
check(fix ~= nil and fix.title == 'Change to "finish"', 'preferred quick fix: ' .. tostring(fix and fix.title))
vim.lsp.util.apply_workspace_edit(fix.edit, 'utf-16')
local fixed = vim.api.nvim_buf_get_lines(buf, then_line - 1, then_line, false)[1]
check(fixed == '      then: finish', 'after the fix: ' .. vim.inspect(fixed))
check(vim.wait(10000, function() return codes() == 'duplicate-id' end, 50), 'diagnostics after the fix: ' .. codes())

-- 4. a comment that describes steps: "Generate from comment" is a code action; the completion
-- item that runs the same command is offered only where Neovim runs an item's command (0.11+)
local comment = '  # then notify the team on the chat channel that the work is done'
vim.api.nvim_buf_set_lines(buf, -1, -1, false, { comment })
local last = vim.api.nvim_buf_line_count(buf)
vim.api.nvim_win_set_cursor(0, { last, #comment })
local labels_here = {}
check(vim.wait(10000, function()
  res = request('textDocument/completion', vim.lsp.util.make_position_params())
  labels_here = {}
  for _, item in ipairs(res and (res.items or res) or {}) do labels_here[item.label] = true end
  params = vim.lsp.util.make_range_params()
  params.context = { diagnostics = {} }
  for _, a in ipairs(request('textDocument/codeAction', params) or {}) do
    if a.title == 'Generate from comment' then return true end
  end
  return false
end, 200), 'the "Generate from comment" code action on the comment')
local runs_commands = vim.fn.has('nvim-0.11') == 1
check((labels_here['Generate steps from this comment'] ~= nil) == runs_commands,
  'the completion item on the comment: ' .. vim.inspect(vim.tbl_keys(labels_here)))

vim.lsp.stop_client(client.id)
vim.wait(3000, function() return vim.lsp.get_client_by_id(client.id) == nil end, 50)
out('ALL OK')
vim.cmd('qall!')
