-- CP001: the container's process runs as root. For a Dockerfile the effective user of the final
-- stage decides (the parser already follows FROM <stage> inheritance and ARG/ENV substitution);
-- no USER anywhere means the runtime default, uid 0, unless the base is known to default to non-root.

local function listed(list, u)
    for _, a in ipairs(list or {}) do
        local s = tostring(a)
        if s == u.name or (u.uid ~= nil and s == tostring(u.uid)) then
            return true
        end
    end
    return false
end

-- The stage a FROM <stage> reference names (stage names compare case-insensitively).
local function stage_named(build, name)
    if not name then
        return nil
    end
    local want = string.lower(name)
    for _, s in ipairs(build.stages or {}) do
        if s.name and string.lower(s.name) == want then
            return s
        end
    end
    return nil
end

-- The external image at the root of the final stage's FROM chain (nil when it cannot be known).
local function external_base(build, image)
    local seen = 0
    while image and image.stage and seen < 64 do
        local s = stage_named(build, image.stage)
        if not s then
            return nil
        end
        image = s.base
        seen = seen + 1
    end
    return image
end

-- Some bases are documented to run as a non-root user when the Dockerfile sets none.
local function nonroot_base(image)
    if not image or image.unresolved or image.scratch then
        return false
    end
    local tag = image.tag or ""
    for _, t in ipairs(cpol.option("nonroot_tags") or {}) do
        if string.find(tag, t, 1, true) then
            return true
        end
    end
    local full = (image.registry or "") .. "/" .. (image.repository or "")
    for _, pat in ipairs(cpol.option("nonroot_images") or {}) do
        if cpol.glob(pat, full) then
            return true
        end
    end
    return false
end

return {
    id = "CP001",
    control = 1,
    severity = "high",
    title = "Container runs as root",
    formats = { "dockerfile" },
    description = "A process running as uid 0 inside the container holds every privilege the " ..
        "container grants, so a compromised application can tamper with the whole filesystem " ..
        "and turns any escape bug into root on the host. Images run as root unless a USER " ..
        "instruction says otherwise.",
    remediation = "Create an unprivileged account (e.g. `RUN useradd -r -u 10001 app`) and add " ..
        "`USER app` (or a numeric `USER 10001:10001`) to the final stage, after the steps that " ..
        "need root.",
    references = {
        "https://docs.docker.com/reference/dockerfile/#user",
        "https://docs.docker.com/build/building/best-practices/#user",
    },
    options = {
        -- user names or uids that are never reported (e.g. an image that must start as root)
        allowed_users = {},
        -- tags whose images run as a non-root user by default (distroless ":nonroot")
        nonroot_tags = { "nonroot" },
        -- registry/repository globs of images whose default user is not root
        nonroot_images = { "mcr.microsoft.com/windows/nanoserver" },
    },
    check = function(c, report)
        local u = c.user
        if not u or u.unresolved then
            return -- a USER built from an unknown variable: do not guess
        end
        if listed(cpol.option("allowed_users"), u) then
            return
        end
        if u.source == "default" then
            if c.build and nonroot_base(external_base(c.build, c.image)) then
                return
            end
            report{ at = c, message = "no USER instruction in the final stage, so the image " ..
                "runs as root (uid 0)" }
            return
        end
        if not (u.uid == 0 or u.name == "root") then
            return
        end
        local shown = u.name or tostring(u.uid)
        if u.group then
            shown = shown .. ":" .. u.group
        end
        local where = ""
        if u.source and u.source ~= "USER" then
            where = ", inherited from " .. u.source
        end
        report{ at = u, field = "name", message = "runs as root (USER " .. shown .. where .. ")" }
    end,
}
