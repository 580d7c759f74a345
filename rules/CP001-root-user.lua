-- CP001: the container's process runs as root. For a Dockerfile the effective user of the final
-- stage decides (the parser already follows FROM <stage> inheritance and ARG/ENV substitution);
-- no USER anywhere means the runtime default, uid 0, unless the base is known to default to non-root.

-- allowed_users as a set of strings, built once per option table.
local allowed = {}

local function allowed_set()
    local list = cpol.option("allowed_users")
    if allowed.list ~= list or not allowed.set then
        local set, any = {}, false
        for _, a in ipairs(list or {}) do
            set[tostring(a)] = true
            any = true
        end
        allowed = { list = list, set = set, any = any }
    end
    return allowed
end

-- Is the user (a model user or a table with name/uid) among allowed_users, by name or uid?
local function listed(u)
    local al = allowed_set()
    if not al.any then
        return false
    end
    local name, uid = u.name, u.uid
    return (name ~= nil and al.set[name] == true) or (uid ~= nil and al.set[tostring(uid)] == true)
end

-- Some bases are documented to run as a non-root user when the Dockerfile sets none.
local function nonroot_base_uncached(image)
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

-- The verdict is kept per reference, per kind of container and option tables: once no ARG is
-- unresolved, scratch (a Dockerfile mark), tag, registry and repository follow from the
-- reference text (each parser derives them with the same function). At most 10,000 references.
local nonroot = { n = 0, by_kind = {} }
local MAX_REFS = 10000

local function nonroot_base(image, kind)
    if not image or image.unresolved then
        return false
    end
    local ref = image.ref
    if ref == nil then
        return not image.scratch and nonroot_base_uncached(image)
    end
    local tags, images = cpol.option("nonroot_tags"), cpol.option("nonroot_images")
    if nonroot.tags ~= tags or nonroot.images ~= images then
        nonroot = { tags = tags, images = images, by_kind = {}, n = 0 }
    end
    local memo = nonroot.by_kind[kind]
    if not memo then
        memo = {}
        nonroot.by_kind[kind] = memo
    end
    local v = memo[ref]
    if v == nil then
        v = not image.scratch and nonroot_base_uncached(image)
        if nonroot.n < MAX_REFS then
            memo[ref] = v
            nonroot.n = nonroot.n + 1
        end
    end
    return v
end

-- Container kinds known to be (true) or not to be (false) Kubernetes ones; any other kind that
-- starts with "k8s-" is one too.
local K8S_KINDS = { ["k8s-container"] = true, ["k8s-init-container"] = true,
    ["k8s-ephemeral-container"] = true, dockerfile = false, oci = false, ["docker-run"] = false,
    ["compose-service"] = false }

-- Kubernetes names a user by uid only.
local ROOT = { name = "0", uid = 0 }

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
        local kind = c.kind
        if kind == "compose-service" and not c.user_from_build then
            local u = c.user
            if u == nil then
                if c.build then
                    return -- a Dockerfile that could not be read: reported there
                end
                report{ at = c, message = "no user: set and no Dockerfile to take one from; the " ..
                    "image's default user applies, which is root for most images" }
                return
            end
            if listed(u) then
                return
            end
            local uid, name = u.uid, u.name
            if uid == 0 or name == "root" then
                report{ at = u, field = "name", message = "runs as root (user: " ..
                    tostring(name or uid) .. ")" }
            end
            return
        end
        if kind == "oci" then
            local u = c.user
            local uid = u and u.uid
            if uid == nil then
                report{ at = c, message = "process.user.uid is not set, so the process runs as " ..
                    "uid 0" }
            elseif uid == 0 and not listed(u) then
                report{ at = u, field = "uid", message = "process.user.uid is 0 (root)" }
            end
            return
        end
        if kind == "docker-run" then
            local u = c.user
            if u == nil then
                report{ at = c, message = "no --user: the image's default user applies, which " ..
                    "is root for most images" }
            elseif not u.interpolated and (u.uid == 0 or u.name == "root") and
                not listed(u) then
                report{ at = u, field = "name", message = "runs as root (--user " ..
                    tostring(u.name or u.uid) .. ")" }
            end
            return
        end
        if K8S_KINDS[kind] or kind and K8S_KINDS[kind] == nil and
            string.sub(kind, 1, 4) == "k8s-" then
            local u = c.user
            local uid = u and u.uid
            if uid == 0 then
                if not listed(ROOT) then
                    report{ at = u, field = "uid", message = "runAsUser is 0 (root)" ..
                        (u.source == "pod" and ", set for the whole pod" or "") }
                end
                return
            elseif uid ~= nil then
                return -- a non-zero uid
            end
            local non_root = u and u.non_root
            if non_root == true then
                return -- the kubelet refuses to start the container as root
            elseif non_root == false then
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
        if listed(u) then
            return
        end
        local source = u.source
        if source == "default" then
            local b = c.build
            local img = c.image
            if not img and b then
                -- no image on the container: the base of the final stage
                local stages = b.stages
                local final = stages and stages[b.final or #stages]
                img = final and final.base
            end
            if b and nonroot_base(cpol.base_image(b, img), kind) then
                return
            end
            if kind == "compose-service" then
                report{ at = c, message = "no user: set, and the Dockerfile it builds (" ..
                    tostring(b and b.file) .. ") has no USER instruction, so it runs as root" }
                return
            end
            report{ at = c, message = "no USER instruction in the final stage, so the image " ..
                "runs as root (uid 0)" }
            return
        end
        local uid, name = u.uid, u.name
        if not (uid == 0 or name == "root") then
            return
        end
        local shown = name or tostring(uid)
        local group = u.group
        if group then
            shown = shown .. ":" .. group
        end
        local where = ""
        if source and source ~= "USER" then
            where = ", inherited from " .. source
        end
        report{ at = u, field = "name", message = "runs as root (USER " .. shown .. where .. ")" }
    end,
}
