-- CP004: a writable root filesystem lets an attacker drop tools and change the application. The
-- fix is a read-only root with tmpfs mounts where the application must write; those tmpfs mounts
-- should not allow executing or setuid files.

local function has(list, name)
    for _, v in ipairs(list or {}) do
        if v == name then
            return true
        end
    end
    return false
end

return {
    id = "CP004",
    control = 4,
    severity = "medium",
    title = "Root filesystem is writable",
    formats = { "compose", "k8s", "oci", "docker-run" },
    description = "With a writable root filesystem an attacker who gets code execution can " ..
        "download tools, plant scripts and modify the application in place. A read-only root " ..
        "stops that; tmpfs mounts give the application the scratch space it needs, and noexec " ..
        "and nosuid keep those mounts from becoming a place to run code.",
    remediation = "Compose: `read_only: true` with `tmpfs: [\"/tmp:rw,noexec,nosuid\"]` for " ..
        "paths that must be writable. Kubernetes: `securityContext.readOnlyRootFilesystem: " ..
        "true` with emptyDir volumes for writable paths.",
    references = {
        "https://docs.docker.com/reference/compose-file/services/#read_only",
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
    },
    check = function(c, report)
        local key = c.kind == "compose-service" and "read_only" or
            c.kind == "docker-run" and "--read-only" or c.kind == "oci" and "root.readonly" or
            "readOnlyRootFilesystem"
        if c.read_only_rootfs == false then
            report{ at = c, field = "read_only_rootfs", message = key .. " is false" }
        elseif c.read_only_rootfs ~= true then
            report{ at = c, message = key .. " is not set, so the root filesystem is writable" }
        end
        for _, t in ipairs(c.tmpfs or {}) do
            -- an OCI config's /dev tmpfs holds the device nodes the runtime creates: noexec is
            -- not expected there (runc's default config has none), so it is left alone
            if c.kind == "oci" and t.path == "/dev" then
                goto next
            end
            local missing = {}
            for _, opt in ipairs({ "noexec", "nosuid" }) do
                if not has(t.options, opt) then
                    missing[#missing + 1] = opt
                end
            end
            if #missing > 0 then
                report{ at = t, message = "tmpfs " .. tostring(t.path) .. " is mounted without " ..
                    table.concat(missing, " and ") }
            end
            ::next::
        end
    end,
}
