-- cases.lua - hand-written differential cases for test_lpat: every feature of the Lua 5.4 pattern
-- language and every argument rule of find/match/gmatch/gsub, compared with stock Lua.
-- Needs common.lua loaded first.

local subjects = {
    "", "a", "abc", "aaa", "hello world", "  padded  ", "key=value", "k1=v1, k2=v2",
    "THE (quick) [brown] {fox}", "f(a(b)c)d", "((()))", "a.b.c", "x%y%z", "^start$",
    "line1\nline2\r\n", "tab\there", "a\0b\0c", "\0", "\255\128abc\200", "123 456 7890",
    "0x1F 0xzz", "CamelCaseWord", "snake_case_word", "--dash--", "a-b+c*d?e", "[]^%",
    "THE END", "aaabbbccc", "abab", "xyzzy", "  ", "a,b,,c", "path/to/file.lua",
    "ubuntu:22.04@sha256:abcdef", "/usr/local/bin", "éàü",
}

local patterns = {
    -- plain text and single characters
    "", "a", "b", "abc", "xyz", "z", " ", "\0", "a\0b", "\255",
    -- any character and classes
    ".", "..", "...", "%a", "%c", "%d", "%g", "%l", "%p", "%s", "%u", "%w", "%x",
    "%A", "%C", "%D", "%G", "%L", "%P", "%S", "%U", "%W", "%X",
    "%a+", "%d+", "%s*", "%w+", "%x+", "%p+", "%u%l+", "%S+", "%z", "%q", "%Q", "%Z",
    -- escapes of magic characters
    "%.", "%%", "%(", "%)", "%[", "%]", "%^", "%$", "%*", "%+", "%-", "%?", "%/", "%\0",
    -- sets
    "[abc]", "[^abc]", "[a-c]", "[a-]", "[-a]", "[%a_]", "[%d%.]", "[^%s]", "[]]", "[^]]",
    "[]a]", "[a%]]", "[%]]", "[%-]", "[^%d%s]", "[z-a]", "[%a-z]", "[a-%d]", "[\0-\31]",
    "[\128-\255]", "[.]", "[%%]", "[[]", "[^^]", "[]-a]", "[a-c-e]", "[^a-cx-z]+",
    "[%w_]+", "^[%w_]+$", "[^,]*", "[^,]+", "[%s,]",
    -- quantifiers
    "a*", "a+", "a-", "a?", "b*", "b+", "b-", "b?", ".*", ".+", ".-", ".?", "a*b", "a+b",
    "a-b", "a?b", ".-b", ".*b", "a.-c", "a.*c", "%d*", "%d+%.?%d*", "[ab]*", "[ab]+c",
    "x*y*z*", "a**", "*", "+", "-", "?", "*a", "a-*", "a?+", "%a-%d",
    -- anchors
    "^", "$", "^$", "^a", "a$", "^abc$", "^.*$", "^%s*(.-)%s*$", "a^", "$a", "^^", "$$",
    "a$b", "^a*$", "%.lua$", "^/", "b$", "^.-=",
    -- captures
    "(a)", "(a)(b)", "((a)b)", "()", "()a()", "(.)%1", "(a*)", "(a-)", "(%w+)=(%w+)",
    "(%w+)%s*=%s*(%w+)", "^(%w+)", "(.-)$", "((.)(.))", "(()a)", "(a)()", "()()()",
    "(%d+)%.(%d+)", "(h)(e)(l)(l)(o)", "([^,]*)", "(.)(.)%2%1", "(.)%1%1", "(%a+) (%a+)",
    "^(.-):(.-)@(.*)$", "([%w_]+)",
    -- balance and frontier
    "%b()", "%b[]", "%b{}", "%b%%", "%baa", "%b)(", "f%b()", "%b()d", "%b()*", "%b()+",
    "%f[%w]%w+", "%f[%W]", "%f[%a]", "%f[%z]", "%f[%Z]", "%f[^a]", "%f[a]", "%f[%s]",
    "%f[\0]", "%f[%w_]%w+%f[^%w_]", "%f[.]", "THE%f[%W]",
    -- back-references in quantified contexts
    "(a+)%1", "(b+)%1", "(%w)%1", "(%w+)%s+%1", "(.-)%1",
    -- malformed patterns (errors must match, and must surface lazily like stock)
    "%", "a%", "[a", "[", "[^", "[%", "[%a", "[a-", "(", "(a", "a)", ")", "a.)", "%f", "%fa",
    "%f[", "%f[a", "%b", "%ba", "%1", "%0", "%9", "(a)%2", "(a%1)", "x[", "x%", "x(", "x)",
    "(()", "((a)", "a(", "()%1", "[]", "[^]", "%b(", "x%fy",
}

for _, s in ipairs(subjects) do
    for _, p in ipairs(patterns) do
        check_all(s, p)
    end
end

-- too many captures (stock allows 32)
check("match", "x", ("()"):rep(32))
check("match", "x", ("()"):rep(33))
check("find", "abc", ("()"):rep(32) .. "c")
check("match", ("a"):rep(40), ("(a)"):rep(32))
check("match", ("a"):rep(40), ("(a)"):rep(33))

-- find: init and plain
for _, init in ipairs({-100, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 100, math.mininteger,
                       math.maxinteger, 2.0, "2", "0x2"}) do
    for _, p in ipairs({"", "a", "b", "c", "a.", ".", "$", "^", "^b", "()", "x*"}) do
        check("find", "abc", p, init)
        check("find", "abc", p, init, true)
        check("match", "abc", p, init)
        check("gmatch", "abc", p, init)
    end
end
check("find", "abc", "b", 2.5)
check("find", "abc", "b", "x")
check("find", "abc", "b", {})
check("find", "a.c", ".", 1, true)
check("find", "a.c", "%.", 1, true)
check("find", "a.c", ".", 1, false)
check("find", "a.c", ".", 1, nil)
check("find", "a.c", ".", 1, 0)
check("find", "a.c", ".", 1, "")
check("find", "a(c", "(", 1, true)
check("find", "a(c", "(")
check("find", "a[c", "[", 1, true)
check("find", "abcabc", "bc", 3, true)
check("find", "abc", "abcd", 1, true)
check("find", "abc", "", 4, true)
check("find", "abc", "", 5, true)
check("find", "a]b", "]")
check("find", "a)b", ")")
check("match", "a)b", ")")
check("find", "a\0b", "\0", 1, true)
check("find", "aaab", "aab", 1, true)
check("find", ("ab"):rep(20) .. "abc", "ababc", 1, true)

-- argument coercion and errors
check("find", 12345, 34)
check("find", 12345, "%d+")
check("match", 1.5, "%.")
check("find", nil, "a")
check("find", "a", nil)
check("find", {}, "a")
check("find", "a")
check("match", "a", {})
check("gmatch", nil, "a")
check("gmatch", "a", nil)
check("gmatch", "a", "a", "x")
check("gsub", nil, "a", "b")
check("gsub", "a", nil, "b")
check("gsub", "a", "a")
check("gsub", "a", "a", nil)
check("gsub", "a", "a", true)
check("gsub", "a", "a", "b", "x")
check("gsub", "a", "a", "b", 1.5)
check("gsub", "a", "a", nil, "x")

-- gsub replacement strings
local repls = {"", "x", "%0", "%1", "%2", "%%", "%", "%x", "<%0|%1>", "%1%1", "[%2-%1]",
               "a%%b", "%9", "%\0", "100%", "%0%0%0", 42, 1.5, -0.0}
local gpats = {"%w", "%w+", "(%w)", "(%w)(%w)", "()", "(%w)()", "", "^%w", "%s*", "x*",
               "(h)(e)", "(", "%d+$", "[^%s]+"}
for _, r in ipairs(repls) do
    for _, p in ipairs(gpats) do
        check("gsub", "hello world 42", p, r)
    end
end

-- gsub with a maximum count
for _, n in ipairs({-1, 0, 1, 2, 3, 100, 2.0, math.maxinteger, math.mininteger}) do
    check("gsub", "a b c d", "%w", "X", n)
    check("gsub", "abc", "", "-", n)
    check("gsub", "abc", "^", "-", n)
end

-- gsub with tables (first capture or whole match is the key; false/nil keep the text)
local tbl = {hello = "HI", world = false, a = 1, b = 2.5, c = {}, [1] = "one", [4] = "four",
             x = true}
for _, p in ipairs({"%w+", "(%w)%w*", "()", "(%w+)", "%a", "x", "c", "()%w"}) do
    check("gsub", "hello world a b", p, tbl)
    check("gsub", "x y", p, tbl)
    check("gsub", "c", p, tbl)
end
check("gsub", "abc", "%w", setmetatable({}, {__index = function(_, k) return k:upper() end}))

-- gsub with functions: all captures as arguments; false/nil keep; numbers ok; others error
local fns = {
    function(...) return table.concat({...}, ",") end,
    function(...) return select("#", ...) end,
    function() return nil end,
    function() return false end,
    function(x) return x == "l" and "L" or nil end,
    function() return 1.25 end,
    function() return {} end,
    function() return true end,
    function(...)
        local t = {}
        for i = 1, select("#", ...) do t[i] = math.type((select(i, ...))) or "s" end
        return table.concat(t)
    end,
}
for _, f in ipairs(fns) do
    for _, p in ipairs({"%w+", "(%w)(%w)", "()(l)", "()", "(o)()", "l", "^h"}) do
        check("gsub", "hello world", p, f)
    end
end

-- gmatch: a leading '^' is an ordinary byte in 5.4; empty matches; iteration past the end
check("gmatch", "^a^a", "^a")
check("gmatch", "aaa", "^a")
check("gmatch", "abc", "")
check("gmatch", "abc", "a*")
check("gmatch", "abc", "()")
check("gmatch", "k=v, x=y", "(%w+)=(%w+)")
check("gmatch", "one two  three", "%a+")
check("gmatch", "a,b,,c", "([^,]*)")
check("gmatch", "abc", "(")
check("gmatch", "abc", "%")
check("gmatch", "aXbXc", "X", 3)
check("gmatch", "aXbXc", "X", -2)
do
    -- the iterator keeps returning nothing once exhausted
    local ok = true
    for _, lib in ipairs({lp, string}) do
        local it = lib.gmatch("ab", "%a")
        local r = {it(), it(), it(), it()}
        ok = ok and r[1] == "a" and r[2] == "b" and r[3] == nil and r[4] == nil
    end
    T.cases = T.cases + 1
    if not ok then T.fails[#T.fails + 1] = "gmatch iterator after the end" end
end

-- method syntax through the string metatable uses whichever table it points to; here we only
-- check that our functions accept the subject as self when called that way
do
    local s = "key=value"
    T.cases = T.cases + 1
    local k, v = lp.match(s, "(%w+)=(%w+)")
    if k ~= "key" or v ~= "value" then T.fails[#T.fails + 1] = "lp.match as function" end
end

-- long subjects, still cheap
local long = ("abc "):rep(2000)
check("find", long, "c a", 5000)
check("gsub", long, "%w+", "%0%0")
check("gsub", long, " ", "")
check("match", long, "^(.-)%s*$")
check("find", long .. "x", "x", 1, true)
check("find", long, "%f[%a]c")
check("gmatch", ("a"):rep(150), "a")
check("match", ("(("):rep(50) .. ("))"):rep(50), "%b()")
check("match", ("a"):rep(14), ("a?"):rep(14) .. ("a"):rep(14))
check("match", ("a"):rep(13), ("a?"):rep(14) .. ("a"):rep(14))
check("match", ("a"):rep(250), ("a?"):rep(250))
