-- CP105: a FROM (or COPY --from image) with `:latest` or no tag at all follows whatever the
-- registry publishes next, so two builds of the same Dockerfile can ship different systems. A digest
-- pins the content, so a digest-pinned reference is fine whatever its tag. Checked for the images
-- the final stage depends on, like CP010. A reference that does not parse (the parser then gives
-- only `ref`) is left alone: `name:1.0@sha256:123` has a tag, and claiming "no tag" would be false.

local function lower(s)
    return s and string.lower(s) or nil
end

-- The stage a --from / FROM value names: a stage name (case-insensitive) or a 0-based index.
local function find_stage(build, ref, before)
    local stages = build.stages or {}
    local n = tonumber(ref)
    if n and string.match(ref, "^%d+$") then
        local s = stages[n + 1]
        if s and (not before or n + 1 < before) then
            return s, n + 1
        end
        return nil
    end
    local want = lower(ref)
    for i, s in ipairs(stages) do
        if (not before or i < before) and s.name and lower(s.name) == want then
            return s, i
        end
    end
    return nil
end

local function mount_from(m)
    if type(m) == "string" then
        return string.match("," .. m, ",from=([^,]+)")
    elseif type(m) == "table" then
        return m.from
    end
    return nil
end

-- Visit every stage the final stage needs and every external image it pulls.
-- visit(kind, image_or_ref, at, stage) with kind "from" (a stage's base image table) or "copy"
-- (an instruction pulling an image by reference).
local function walk(build, visit)
    local stages = build.stages or {}
    local final = #stages
    for i, s in ipairs(stages) do
        if build.final ~= nil and s.index == build.final then
            final = i
        end
    end
    local todo, seen = { final }, {}
    while #todo > 0 do
        local i = table.remove(todo)
        local s = stages[i]
        if s and not seen[i] then
            seen[i] = true
            local base = s.base
            if base and base.stage then
                local _, j = find_stage(build, base.stage, i)
                if j then
                    todo[#todo + 1] = j
                end
            elseif base then
                visit("from", base, base, s)
            end
            for _, ins in ipairs(s.instructions or {}) do
                local refs = {}
                local flags = ins.flags
                if flags and (ins.cmd == "COPY" or ins.cmd == "ADD") and flags.from then
                    refs[#refs + 1] = flags.from
                end
                if flags and ins.cmd == "RUN" and flags.mount then
                    for _, m in ipairs(flags.mount) do
                        local f = mount_from(m)
                        if f then
                            refs[#refs + 1] = f
                        end
                    end
                end
                for _, r in ipairs(refs) do
                    -- a name of any stage, or any number, means a stage and never an image
                    local _, j = find_stage(build, r)
                    if j then
                        todo[#todo + 1] = j
                    elseif not string.find(r, "$", 1, true) and not string.match(r, "^%d+$") then
                        visit("copy", r, ins, s)
                    end
                end
            end
        end
    end
end

return {
    id = "CP105",
    control = 0,
    severity = "medium",
    title = "Image uses a mutable latest tag",
    formats = { "dockerfile", "compose", "k8s" },
    description = "Without a tag, or with `latest`, a build takes whatever the image's " ..
        "newest release is: a major version jump, a different distribution release or a " ..
        "broken push arrives silently and the same Dockerfile stops being reproducible. " ..
        "Checked for every image the final stage is built from or copies from.",
    remediation = "Name an explicit version tag (`FROM python:3.12-slim`, not `FROM python` or " ..
        "`python:latest`), ideally together with a digest (`python:3.12-slim@sha256:<digest>`).",
    references = {
        "https://docs.docker.com/reference/dockerfile/#from",
        "https://docs.docker.com/build/building/best-practices/#from",
    },
    check = function(c, report)
        if c.kind ~= "dockerfile" then
            local img = c.image
            if not img or img.digest or img.unresolved or img.interpolated or not img.ref then
                return
            end
            if not img.repository then
                return -- not a valid reference (e.g. a malformed digest): its tag is unknown
            end
            if img.tag == nil then
                report{ at = img, message = "image " .. img.ref .. " has no tag (implicitly latest)" }
            elseif img.tag == "latest" then
                report{ at = img, message = "image " .. img.ref .. " uses the mutable tag latest" }
            end
            return
        end
        if not c.build then
            return
        end
        walk(c.build, function(kind, img, at)
            local tag, digest, shown
            if kind == "from" then
                if img.scratch or img.unresolved or not img.repository then
                    return -- no image, or a reference that does not parse: no tag to judge
                end
                tag, digest, shown = img.tag, img.digest, img.ref or img.raw or "?"
            else
                local parsed = cpol.image(img)
                if not parsed then
                    return
                end
                tag, digest, shown = parsed.tag, parsed.digest, img
            end
            if digest or (tag ~= nil and tag ~= "latest") then
                return
            end
            local what = tag and "the mutable tag latest" or "no tag (implicitly latest)"
            if kind == "from" then
                report{ at = img, message = "base image " .. shown .. " uses " .. what }
            else
                local how = at.cmd == "RUN" and "RUN --mount from=" or (at.cmd .. " --from=")
                report{ at = at, message = how .. shown .. " uses " .. what }
            end
        end)
    end,
}
