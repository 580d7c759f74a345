-- random.lua - seeded random differential cases for test_lpat: patterns built from every item of
-- the language (and some malformed ones) against short subjects over a small alphabet, so that
-- matches, backtracking and errors are all frequent. Needs common.lua; global SEED and COUNT.

local state = SEED
local function rnd(n) -- 1..n, from a 64-bit LCG (deterministic on every platform)
    state = state * 6364136223846793005 + 1442695040888963407
    return ((state >> 33) % n) + 1
end
local function pick(t) return t[rnd(#t)] end

local alphabet = {"a", "b", "a", "b", "a", "b", "c", " ", "1", "(", ")", "[", "]", "%", ".",
                  "-", "^", "$", "\0", "\200", "A", "_", ","}
local classes = {"%a", "%d", "%s", "%w", "%p", "%x", "%l", "%u", "%c", "%g", "%A", "%D", "%S",
                 "%W", "%P", "%.", "%%", "%(", "%-", "%]", "."}
local setparts = {"a", "b", "c", "a-c", "%d", "%s", "%a", "^", "]", "-", "%]", "%%", "_", "(",
                  "0-9", "\0"}
local raw = {"(", ")", "[", "]", "%", "^", "$", "*", "+", "-", "?", "%b", "%f", "%1", "[^"}

local function subject()
    local t = {}
    for i = 1, rnd(12) - 1 do t[i] = pick(alphabet) end
    return table.concat(t)
end

local function literal()
    local c = pick(alphabet)
    if c:find("^[%^%$%(%)%%%.%[%]%*%+%-%?]$") then return "%" .. c end
    return c
end

local function set()
    local t = {"["}
    if rnd(3) == 1 then t[#t + 1] = "^" end
    for _ = 1, rnd(3) do t[#t + 1] = pick(setparts) end
    t[#t + 1] = "]"
    return table.concat(t)
end

local item
local function single()
    local k = rnd(12)
    if k <= 5 then return literal() end
    if k <= 7 then return pick(classes) end
    if k <= 9 then return "." end
    return set()
end

function item(depth)
    local k = rnd(30)
    if k <= 18 then
        local s = single()
        local q = rnd(10)
        if q == 1 then return s .. "*" end
        if q == 2 then return s .. "+" end
        if q == 3 then return s .. "-" end
        if q == 4 then return s .. "?" end
        return s
    elseif k <= 22 and depth < 3 then
        local t = {"("}
        for _ = 1, rnd(3) - 1 do t[#t + 1] = item(depth + 1) end
        t[#t + 1] = ")"
        return table.concat(t)
    elseif k == 23 then
        return "%" .. rnd(3)
    elseif k == 24 then
        return "%b" .. pick({"()", "[]", "ab", "aa", "((", ")("})
    elseif k == 25 then
        return "%f" .. set()
    elseif k == 26 then
        return pick(raw)
    else
        return single()
    end
end

local function pattern()
    local t = {}
    if rnd(5) == 1 then t[1] = "^" end
    for _ = 1, rnd(rnd(2) == 1 and 3 or 6) do t[#t + 1] = item(0) end
    if rnd(6) == 1 then t[#t + 1] = "$" end
    return table.concat(t)
end

local repls = {"<%0>", "%1", "%2-%1", "%%", "x", "%", "%z", ""}

for _ = 1, COUNT do
    local s, p = subject(), pattern()
    local which = rnd(6)
    if which == 1 then
        check("find", s, p)
    elseif which == 2 then
        check("find", s, p, rnd(#s + 3) - 2)
    elseif which == 3 then
        check("match", s, p, rnd(#s + 3) - 2)
    elseif which == 4 then
        check("gmatch", s, p)
    elseif which == 5 then
        check("gsub", s, p, pick(repls), rnd(4) == 1 and rnd(3) or nil)
    else
        check("gsub", s, p, function(...) return table.concat({...}, "|") end)
    end
end
