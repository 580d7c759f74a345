-- CP103: sharing the host's network, PID or IPC namespace removes the isolation that namespace
-- gives: host network exposes every host port and local service, host PID lets the container see
-- and signal host processes, host IPC shares memory segments.

local words = {
    ["compose-service"] = { network = "network_mode: host", pid = "pid: host", ipc = "ipc: host",
        uts = "uts: host", user = "userns_mode: host" },
    k8s = { network = "hostNetwork: true", pid = "hostPID: true", ipc = "hostIPC: true",
        users = "hostUsers: true" },
    ["docker-run"] = { network = "--network host", pid = "--pid host", ipc = "--ipc host",
        uts = "--uts host", user = "--userns host" },
    oci = { network = "no network namespace in linux.namespaces",
        pid = "no pid namespace in linux.namespaces", ipc = "no ipc namespace in linux.namespaces",
        uts = "no uts namespace in linux.namespaces" },
}
local what = { network = "network", pid = "process (PID)", ipc = "IPC", uts = "UTS",
    user = "user", users = "user" }

return {
    id = "CP103",
    control = 0,
    severity = "high",
    title = "Host namespace shared",
    formats = { "compose", "k8s", "oci", "docker-run" },
    description = "Sharing the host's network, PID or IPC namespace removes the isolation the " ..
        "container runtime provides: with the host network every host port and local-only " ..
        "service is reachable, with the host PID namespace host processes can be inspected and " ..
        "signalled, with host IPC shared memory is open.",
    remediation = "Drop network_mode/pid/ipc: host (compose) or hostNetwork/hostPID/hostIPC " ..
        "(Kubernetes); publish the ports the service needs instead of using the host network.",
    references = {
        "https://docs.docker.com/reference/compose-file/services/#network_mode",
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
    },
    check = function(c, report)
        local h = c.host
        if not h then
            return
        end
        local w = words[c.kind] or words.k8s
        for _, key in ipairs({ "network", "pid", "ipc", "uts", "user", "users" }) do
            -- hostUsers: true is the Kubernetes default; only an explicit opt-out matters there
            -- an OCI config without a user namespace is the common, rootful case: not reported
            if h[key] == true and key ~= "users" and not (c.kind == "oci" and key == "user") then
                report{ at = h, field = key, message = "shares the host's " .. what[key] ..
                    " namespace (" .. (w[key] or key) .. ")" }
            end
        end
    end,
}
