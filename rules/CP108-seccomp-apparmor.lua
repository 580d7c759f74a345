-- CP108: seccomp and AppArmor turned off. The runtimes' default profiles block syscalls and file
-- accesses that container escapes depend on; "unconfined" removes them.

return {
    id = "CP108",
    control = 0,
    severity = "high",
    title = "Seccomp or AppArmor disabled",
    formats = { "compose", "k8s", "oci", "docker-run" },
    description = "The default seccomp profile blocks dozens of rarely needed system calls " ..
        "(keyctl, unshare, mount, ...) that kernel exploits and escapes use, and the default " ..
        "AppArmor profile denies writes to /proc and /sys; running unconfined gives both up.",
    remediation = "Remove seccomp:unconfined / apparmor:unconfined (compose security_opt) or " ..
        "set seccompProfile.type: RuntimeDefault and keep AppArmor at runtime/default " ..
        "(Kubernetes); write a custom profile when a workload needs a specific syscall.",
    references = {
        "https://docs.docker.com/engine/security/seccomp/",
        "https://kubernetes.io/docs/tutorials/security/seccomp/",
    },
    check = function(c, report)
        local function off(t)
            local v = t and (t.type or t.profile)
            if type(v) ~= "string" then
                return false
            end
            return string.lower(v) == "unconfined"
        end
        -- point at the value: Kubernetes `type: Unconfined`, compose `seccomp:unconfined`
        if c.kind == "oci" and c.seccomp == nil then
            report{ at = c, message = "no linux.seccomp profile: every system call is allowed" }
        end
        if off(c.seccomp) then
            report{ at = c.seccomp, field = c.seccomp.type and "type" or "profile",
                message = "seccomp is disabled (unconfined)" }
        end
        if off(c.apparmor) then
            report{ at = c.apparmor, field = c.apparmor.type and "type" or "profile",
                message = "AppArmor is disabled (unconfined)" }
        end
    end,
}
