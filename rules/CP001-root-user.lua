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
    formats = { "dockerfile", "compose", "k8s", "oci", "docker-run" },
    description = "A process running as uid 0 inside the container holds every privilege the " ..
        "container grants, so a compromised application can tamper with the whole filesystem " ..
        "and turns any escape bug into root on the host. Images run as root unless a USER " ..
        "instruction says otherwise.",
    remediation = "Run as an unprivileged uid. Dockerfile: create an account (`RUN useradd -r -u " ..
        "10001 app`) and add `USER app` (or `USER 10001:10001`) to the final stage after the " ..
        "steps that need root. Compose: `user: \"10001:10001\"`. Kubernetes: `securityContext: {runAsNonRoot: " ..
        "true, runAsUser: 10001}`. docker run: `--user 10001:10001`. OCI: a non-zero " ..
        "process.user.uid.",
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
        if c.kind == "compose-service" and not c.user_from_build then
            local u = c.user
            if u == nil then
                if c.build then
                    return -- a Dockerfile that could not be read: reported there
                end
                report{ at = c, message = "no user: set and no Dockerfile to take one from; the " ..
                    "image's default user applies, which is root for most images" }
                return
            end
            if listed(cpol.option("allowed_users"), u) then
                return
            end
            if u.uid == 0 or u.name == "root" then
                report{ at = u, field = "name", message = "runs as root (user: " ..
                    tostring(u.name or u.uid) .. ")" }
            end
            return
        end
        if c.kind == "oci" then
            local u = c.user
            if not u or u.uid == nil then
                report{ at = c, message = "process.user.uid is not set, so the process runs as " ..
                    "uid 0" }
            elseif u.uid == 0 and not listed(cpol.option("allowed_users"), u) then
                report{ at = u, field = "uid", message = "process.user.uid is 0 (root)" }
            end
            return
        end
        if c.kind == "docker-run" then
            local u = c.user
            if u == nil then
                report{ at = c, message = "no --user: the image's default user applies, which " ..
                    "is root for most images" }
            elseif not u.interpolated and (u.uid == 0 or u.name == "root") and
                not listed(cpol.option("allowed_users"), u) then
                report{ at = u, field = "name", message = "runs as root (--user " ..
                    tostring(u.name or u.uid) .. ")" }
            end
            return
        end
        if string.sub(c.kind or "", 1, 4) == "k8s-" then
            local u = c.user
            if u and u.uid == 0 then
                if listed(cpol.option("allowed_users"), { name = "0", uid = 0 }) then
                    return
                end
                report{ at = u, field = "uid", message = "runAsUser is 0 (root)" ..
                    (u.source == "pod" and ", set for the whole pod" or "") }
            elseif u and u.uid ~= nil then
                return -- a non-zero uid
            elseif u and u.non_root == true then
                return -- the kubelet refuses to start the container as root
            elseif u and u.non_root == false then
                report{ at = u, field = "non_root", message = "runAsNonRoot is false and no " ..
                    "runAsUser is set: the image's user applies, which is root for most images" }
            else
                report{ at = c, message = "neither runAsNonRoot: true nor a non-zero runAsUser " ..
                    "is set (container or pod securityContext); the image's user applies, " ..
                    "which is root for most images" }
            end
            return
        end
        local u = c.user
        if not u or u.unresolved then
            return -- a USER built from an unknown variable: do not guess
        end
        if listed(cpol.option("allowed_users"), u) then
            return
        end
        if u.source == "default" then
            local b = c.build
            local final = b and b.stages and b.stages[b.final or #b.stages]
            local img = c.image or (final and final.base)
            if b and nonroot_base(cpol.base_image(b, img)) then
                return
            end
            if c.kind == "compose-service" then
                report{ at = c, message = "no user: set, and the Dockerfile it builds (" ..
                    tostring(b and b.file) .. ") has no USER instruction, so it runs as root" }
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
