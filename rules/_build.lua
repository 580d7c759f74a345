-- _build.lua: a built-in library, not a rule. The functions it returns are in every rule's `cpol`
-- table (built-in and custom): walks over a Dockerfile build that several rules need, written
-- once. See docs/writing-rules.md.

local M = {}

local function lower(s)
    return s and string.lower(s) or nil
end

-- cpol.has(list, value) -> true when the list holds the value.
function M.has(list, value)
    for _, v in ipairs(list or {}) do
        if v == value then
            return true
        end
    end
    return false
end

-- cpol.stage(build, ref [, before]) -> stage, index. The stage a `FROM <ref>` or `--from=<ref>`
-- names: a 0-based number or a stage name (case-insensitive; the most recent stage of that name).
-- With `before` (a 1-based stage index) only earlier stages count, as for FROM.
function M.stage(build, ref, before)
    local stages = build and build.stages or {}
    if type(ref) ~= "string" then
        return nil
    end
    local last = before and before - 1 or #stages
    if string.match(ref, "^%d+$") then
        local i = tonumber(ref) + 1
        if stages[i] and i <= last then
            return stages[i], i
        end
        return nil
    end
    local want = lower(ref)
    for i = last, 1, -1 do
        local s = stages[i]
        if s and s.name and lower(s.name) == want then
            return s, i
        end
    end
    return nil
end

-- cpol.final_stage(build) -> stage, index: the stage the build ships.
function M.final_stage(build)
    local stages = build and build.stages or {}
    -- build.final read once: each read of a model field is a call into C
    local final = build and build.final
    if final ~= nil then
        for i, s in ipairs(stages) do
            if s.index == final then
                return s, i
            end
        end
    end
    return stages[#stages], #stages
end

-- cpol.final_chain(build) -> list, member, base. The final stage and its FROM <stage> parents in
-- build order (root first) as stage indexes, the same as a set, and the external image at the
-- root of the chain (nil when a FROM names an unknown stage).
function M.final_chain(build)
    local stages = build and build.stages or {}
    local _, i = M.final_stage(build)
    local list, member, base, hops = {}, {}, nil, 0
    while i and stages[i] and not member[i] and hops < 64 do
        member[i] = true
        table.insert(list, 1, i)
        base = stages[i].base
        if not (base and base.stage) then
            break
        end
        local _, j = M.stage(build, base.stage, i)
        i, hops = j, hops + 1
        if not j then
            base = nil
        end
    end
    return list, member, base
end

-- cpol.base_image(build, image) -> the external image at the root of image's FROM <stage> chain
-- (image itself when it names no stage; nil when a stage is unknown).
function M.base_image(build, image)
    local hops = 0
    while image and image.stage and hops < 64 do
        local s = M.stage(build, image.stage)
        if not s then
            return nil
        end
        image, hops = s.base, hops + 1
    end
    return image
end

-- cpol.mount_from(mount) -> the `from=` of a RUN --mount value, or nil.
function M.mount_from(m)
    if type(m) == "string" then
        return string.match("," .. m, ",from=([^,]+)")
    elseif type(m) == "table" then
        return m.from
    end
    return nil
end

-- cpol.build_images(build) -> list of {kind, image, at, stage}: every external image the final
-- image is built from or copies from. kind "from": image is a stage's base image table; kind
-- "copy": image is the reference string of COPY/ADD --from=<image> or RUN --mount from=<image>
-- and `at` the instruction. Stages the final image does not use are not visited.
local function build_images(build)
    local out = {}
    local stages = build and build.stages or {}
    local _, final = M.final_stage(build)
    local todo, seen = { final }, {}
    while #todo > 0 do
        local i = table.remove(todo)
        local s = stages[i]
        if s and not seen[i] then
            seen[i] = true
            local base = s.base
            if base and base.stage then
                local _, j = M.stage(build, base.stage, i)
                if j then
                    todo[#todo + 1] = j
                end
            elseif base then
                out[#out + 1] = { kind = "from", image = base, at = base, stage = s }
            end
            for _, ins in ipairs(s.instructions or {}) do
                local refs = {}
                local flags = ins.flags
                if flags and (ins.cmd == "COPY" or ins.cmd == "ADD") and flags.from then
                    refs[#refs + 1] = flags.from
                end
                if flags and ins.cmd == "RUN" and flags.mount then
                    for _, m in ipairs(flags.mount) do
                        refs[#refs + 1] = M.mount_from(m)
                    end
                end
                for _, r in ipairs(refs) do
                    -- a name of any stage, or any number, means a stage and never an image
                    local _, j = M.stage(build, r)
                    if j then
                        todo[#todo + 1] = j
                    elseif not string.find(r, "$", 1, true) and not string.match(r, "^%d+$") then
                        out[#out + 1] = { kind = "copy", image = r, at = ins, stage = s }
                    end
                end
            end
        end
    end
    return out
end

-- Several rules ask for the same container's build in turn (CP010, CP105, ...): the walk over
-- every instruction is done once per build and each caller gets its own copy of the list. A
-- build view is only reached within one run, and the one kept here cannot be collected, so it
-- is never mistaken for another.
local last_build, last_images

function M.build_images(build)
    if build == nil or not rawequal(build, last_build) then
        last_build, last_images = build, build_images(build)
    end
    local out = {}
    for k, e in ipairs(last_images) do
        out[k] = { kind = e.kind, image = e.image, at = e.at, stage = e.stage }
    end
    return out
end

return M
