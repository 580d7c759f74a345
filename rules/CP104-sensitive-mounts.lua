-- CP104: host paths that hand over the host: the container runtime's socket (a root shell on the
-- host for whoever can talk to it), the root filesystem, /etc, /proc, /sys, /dev, /boot, the
-- runtime's state folders.

local function clean(p)
    if not p then
        return nil
    end
    p = string.gsub(p, "/+", "/")
    if #p > 1 then
        p = string.gsub(p, "/$", "")
    end
    return p
end

local function listed(path)
    for _, s in ipairs(cpol.option("sensitive_paths") or {}) do
        if path == s then
            return true
        end
    end
    for _, pat in ipairs(cpol.option("sensitive_globs") or {}) do
        if cpol.glob(pat, path) then
            return true
        end
    end
    return false
end

-- The cleaned path of a bind source when it is sensitive, else false; kept per source text and
-- option tables (a repository mounts the same few paths in many places, and each verdict costs
-- two gsubs and a glob per pattern). At most 10,000 sources per option tables.
local verdicts = { n = 0, by_source = {} }
local MAX_SOURCES = 10000

local function sensitive(source)
    local sp, sg = cpol.option("sensitive_paths"), cpol.option("sensitive_globs")
    if verdicts.sp ~= sp or verdicts.sg ~= sg then
        verdicts = { sp = sp, sg = sg, by_source = {}, n = 0 }
    end
    local v = verdicts.by_source[source]
    if v == nil then
        local src = clean(source)
        v = string.sub(src, 1, 1) == "/" and listed(src) and src or false
        if verdicts.n < MAX_SOURCES then
            verdicts.by_source[source] = v
            verdicts.n = verdicts.n + 1
        end
    end
    return v
end

return {
    id = "CP104",
    control = 0,
    severity = "critical",
    title = "Sensitive host path mounted",
    formats = { "compose", "k8s", "oci", "docker-run" },
    description = "Mounting the Docker or containerd socket gives the container full control " ..
        "of the container runtime, which is root on the host; mounting /, /etc, /proc, /sys, " ..
        "/dev or the runtime's state lets it read secrets and change the host. A read-only " ..
        "flag does not help for sockets.",
    remediation = "Remove the mount. If the workload must talk to the runtime, use a narrowly " ..
        "scoped API proxy; mount only the specific files a workload needs, read-only.",
    references = {
        "https://docs.docker.com/engine/security/#docker-daemon-attack-surface",
        "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
    },
    options = {
        sensitive_paths = { "/", "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/var/run",
            "/run", "/var/lib/docker", "/var/lib/containerd", "/var/lib/kubelet", "/etc/kubernetes",
            "/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd",
            "/run/containerd", "/var/run/crio", "/run/crio", "/run/podman", "/var/run/podman" },
        sensitive_globs = { "/var/run/*.sock", "/run/*.sock", "/run/*/*.sock",
            "/var/run/*/*.sock", "/proc/sys", "/proc/sys/**", "/sys/fs/cgroup" },
    },
    check = function(c, report)
        for _, m in ipairs(c.mounts or {}) do
            local t = m.type
            local source = (t == "bind" or t == "hostPath") and m.source
            local src = source and sensitive(source)
            if src then
                report{ at = m, field = "source", message = "mounts the host path " .. src ..
                    " into " .. tostring(m.target or "the container") }
            end
        end
    end,
}
