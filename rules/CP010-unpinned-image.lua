-- CP010: images a build pulls should be pinned by digest, so the bytes that were reviewed are the
-- bytes that get built. Checked for every external image the final stage depends on: the FROM of
-- each stage it is built from or copies from (an unpinned builder changes the shipped binary as
-- much as an unpinned runtime base) and images named by COPY --from / RUN --mount from=.

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

-- The message for an unpinned reference. The parser splits only valid references, so a missing
-- repository means Docker would refuse the reference: with an '@' the digest is malformed
-- (placeholders such as sha256:123456 are common in examples) and pins nothing.
local function unpinned(ref, repository)
    if repository then
        return "image " .. ref .. " is not pinned by digest"
    elseif string.find(ref, "@", 1, true) then
        return "image " .. ref .. " has a malformed digest (sha256: and 64 hex digits), " ..
            "so it is not pinned"
    end
    return "image " .. ref .. " is not a valid image reference, so no digest pins it"
end

return {
    id = "CP010",
    control = 10,
    severity = "low",
    title = "Image not pinned by digest",
    formats = { "dockerfile", "compose", "k8s" },
    description = "A tag is a movable pointer: the registry can serve different content for " ..
        "node:20 tomorrow, whether through an update, a compromised account or a mirror. " ..
        "Pinning by digest makes every build use exactly the image that was reviewed and lets " ..
        "signature checks refer to fixed content. Every external image the final stage is " ..
        "built from or copies from is checked; stages the final image does not use are not.",
    remediation = "Pin the reference by digest, keeping the tag for readers: " ..
        "`FROM node:20-slim@sha256:<digest>` (get the digest with `docker buildx imagetools " ..
        "inspect node:20-slim`), and let a bot such as Renovate or Dependabot update it.",
    references = {
        "https://docs.docker.com/reference/dockerfile/#from",
        "https://docs.docker.com/build/building/best-practices/#pin-base-image-versions",
    },
    check = function(c, report)
        if c.kind ~= "dockerfile" then
            -- compose `image:` and Kubernetes `image:`; a service's linked Dockerfile is
            -- checked where the Dockerfile itself is scanned
            local img = c.image
            if img and not img.digest and not img.unresolved and not img.interpolated and img.ref then
                report{ at = img, message = unpinned(img.ref, img.repository) }
            end
            return
        end
        if not c.build then
            return
        end
        walk(c.build, function(kind, img, at, stage)
            if kind == "from" then
                if img.scratch or img.unresolved or img.digest then
                    return
                end
                local shown = img.ref or img.raw or "?"
                report{ at = img, message = "base " .. unpinned(shown, img.repository) }
            else
                local parsed = cpol.image(img)
                if not parsed or parsed.digest then
                    return
                end
                local how = at.cmd == "RUN" and "RUN --mount from=" or (at.cmd .. " --from=")
                report{ at = at, message = how .. img .. " pulls an image that is " ..
                    "not pinned by digest" }
            end
        end)
    end,
}
