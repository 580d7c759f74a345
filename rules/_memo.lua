-- _memo.lua: a built-in library, not a rule. Its function is in every rule's `cpol` table
-- (built-in and custom). A scan of thousands of containers meets the same few values again and
-- again (one image reference in hundreds of manifests); a rule whose verdict depends only on such
-- a value keeps it here instead of working it out again. See docs/writing-rules.md.

local M = {}

-- cpol.memo([max]) -> a table of remembered results with get(key), put(key, value) -> value and
-- find(key, compute, ...) -> the remembered value, or compute(...) remembered.
-- At most max keys (default 10,000) are kept, so hostile input cannot grow it without bound;
-- beyond that put() still returns the value but keeps nothing.
function M.memo(max)
    local limit, n, by_key = max or 10000, 0, {}
    local m = {}
    function m.get(key)
        return by_key[key]
    end
    function m.put(key, value)
        if by_key[key] == nil and n < limit then
            by_key[key] = value
            n = n + 1
        end
        return value
    end
    -- the value for key, working it out as compute(...) the first time (nil is kept as false)
    function m.find(key, compute, ...)
        local v = by_key[key]
        if v == nil then
            v = compute(...)
            if v == nil then
                v = false
            end
            m.put(key, v)
        end
        return v
    end
    return m
end

return M
