-- CP101: a privileged container has every capability, every device and no seccomp or AppArmor
-- confinement: root in it is root on the host.

return {
    id = "CP101",
    control = 0,
    severity = "critical",
    title = "Privileged container",
    formats = { "compose", "k8s", "oci", "docker-run" },
    description = "A privileged container gets all Linux capabilities, access to every host " ..
        "device and no seccomp or AppArmor confinement, so a process that is root inside it can " ..
        "take over the host (mount its disks, load kernel modules).",
    remediation = "Remove `privileged: true`; grant only the capabilities the workload needs " ..
        "with cap_add / securityContext.capabilities.add, and the devices it needs with " ..
        "`devices:`.",
    options = {
        -- OCI: this many capabilities (Linux has 41 today) without seccomp count as privileged
        all_capabilities_count = 38,
    },
    references = {
        "https://docs.docker.com/reference/compose-file/services/#privileged",
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
    },
    check = function(c, report)
        if c.kind == "oci" then
            -- no privileged flag in OCI: the same thing is every capability without seccomp
            local caps = c.capabilities and c.capabilities.add or {}
            local all = cpol.option("all_capabilities_count") or 38
            if #caps >= all and c.seccomp == nil then
                report{ at = c.capabilities, message = "grants " .. #caps .. " capabilities and " ..
                    "has no seccomp profile: as good as privileged" }
            end
            return
        end
        if c.privileged == true then
            local how = c.kind == "docker-run" and "--privileged" or "privileged: true"
            report{ at = c, field = "privileged", message = "runs privileged (" .. how .. ")" }
        end
    end,
}
