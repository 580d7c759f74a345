-- common.lua - differential helpers for test_lpat: run the same call through `lp` (ours) and
-- `string` (stock Lua 5.4) and record every difference in results or error text.
-- Globals in: lp. Globals out: T = {cases, skipped, fails, skips}, check(name, ...), show(...).

T = {cases = 0, skipped = 0, fails = {}, skips = {}}

local function show1(v)
    local t = type(v)
    if t == "string" then return string.format("%q", v) end
    if t == "number" then return math.type(v) .. ":" .. tostring(v) end
    return tostring(v)
end

function show(r)
    local out = {}
    for i = 1, r.n do out[i] = show1(r[i]) end
    return (r.ok and "ok(" or "error(") .. table.concat(out, ", ") .. ")"
end

-- Error text without the "chunk:line:" that only depends on where the call was made.
local function clean(msg)
    if type(msg) ~= "string" then return msg end
    return (msg:gsub("^[^\n]-:%d+: ", ""))
end

local function call(f, ...)
    local r = table.pack(pcall(f, ...))
    local ok = table.remove(r, 1)
    r.n = r.n - 1
    r.ok = ok
    if not ok then r[1] = clean(r[1]) end
    return r
end

-- gmatch is compared by the whole sequence of iterations (bounded), errors included.
local function run_gmatch(lib, s, p, ...)
    local n = select("#", ...)
    local init = ...
    return call(function()
        local it = n > 0 and lib.gmatch(s, p, init) or lib.gmatch(s, p)
        local seq = {}
        for _ = 1, 200 do
            local r = table.pack(it())
            if r.n == 0 or r[1] == nil then break end
            local parts = {}
            for i = 1, r.n do parts[i] = show1(r[i]) end
            seq[#seq + 1] = "{" .. table.concat(parts, ",") .. "}"
        end
        return table.concat(seq, " ")
    end)
end

local function run(lib, name, ...)
    if name == "gmatch" then return run_gmatch(lib, ...) end
    local f = lib[name]
    return call(function(...) return f(...) end, ...)
end

local function same(a, b)
    if a.ok ~= b.ok or a.n ~= b.n then return false end
    for i = 1, a.n do
        local x, y = a[i], b[i]
        if type(x) ~= type(y) then return false end
        if type(x) == "number" then
            if math.type(x) ~= math.type(y) or x ~= y then return false end
        elseif x ~= y then
            return false
        end
    end
    return true
end

local function describe(name, ...)
    local args = table.pack(...)
    local parts = {}
    for i = 1, args.n do parts[i] = show1(args[i]) end
    return name .. "(" .. table.concat(parts, ", ") .. ")"
end

-- Compare one call. Returns false when skipped: stock's own recursion limit, or a case so
-- expensive that our budget stopped it (stock would then take too long to compare).
function check(name, ...)
    local ours = run(lp, name, ...)
    if not ours.ok and type(ours[1]) == "string" and ours[1]:find("step budget", 1, true) then
        T.skipped = T.skipped + 1
        T.skips[#T.skips + 1] = describe(name, ...):sub(1, 60) .. " -> ours: " .. show(ours)
        return false
    end
    local stock = run(string, name, ...)
    if not stock.ok and stock[1] == "pattern too complex" then
        T.skipped = T.skipped + 1
        T.skips[#T.skips + 1] = describe(name, ...):sub(1, 60) .. " -> ours: " .. show(ours)
        return false
    end
    T.cases = T.cases + 1
    if not same(ours, stock) then
        T.fails[#T.fails + 1] = describe(name, ...) .. "\n    ours:  " .. show(ours) ..
            "\n    stock: " .. show(stock)
    end
    return true
end

-- Every function on one subject and pattern.
function check_all(s, p)
    check("find", s, p)
    check("match", s, p)
    check("gmatch", s, p)
    check("gsub", s, p, "<%0>")
end
