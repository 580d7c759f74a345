-- CP101: a privileged container has every capability, every device and no seccomp or AppArmor
-- confinement: root in it is root on the host.

return {
    id = "CP101",
    control = 0,
    severity = "critical",
    title = "Privileged container",
    formats = { "compose", "k8s" },
    description = "A privileged container gets all Linux capabilities, access to every host " ..
        "device and no seccomp or AppArmor confinement, so a process that is root inside it can " ..
        "take over the host (mount its disks, load kernel modules).",
    remediation = "Remove `privileged: true`; grant only the capabilities the workload needs " ..
        "with cap_add / securityContext.capabilities.add, and the devices it needs with " ..
        "`devices:`.",
    references = {
        "https://docs.docker.com/reference/compose-file/services/#privileged",
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
    },
    check = function(c, report)
        if c.privileged == true then
            report{ at = c, field = "privileged", message = "runs privileged (privileged: true)" }
        end
    end,
}
