-- CP102: nothing stops a process from gaining privileges through setuid binaries or file
-- capabilities. Kubernetes allows escalation unless allowPrivilegeEscalation is false; Docker
-- unless no-new-privileges is set.

return {
    id = "CP102",
    control = 0,
    severity = "medium",
    title = "Privilege escalation not blocked",
    formats = { "compose", "k8s", "oci", "docker-run" },
    description = "Without no_new_privileges, a process in the container can gain privileges " ..
        "through setuid or setcap binaries in the image (su, sudo, ping on older images), which " ..
        "turns a foothold as an unprivileged user into root inside the container.",
    remediation = "Compose: add `security_opt: [\"no-new-privileges:true\"]`. Kubernetes: set " ..
        "`securityContext.allowPrivilegeEscalation: false` on every container.",
    references = {
        "https://docs.docker.com/reference/cli/docker/container/run/#security-opt",
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
    },
    check = function(c, report)
        if c.kind == "oci" then
            if c.no_new_privileges == false then
                report{ at = c, field = "no_new_privileges", message = "process.noNewPrivileges is false" }
            elseif c.no_new_privileges ~= true then
                report{ at = c, message = "process.noNewPrivileges is not set to true" }
            end
            return
        end
        if c.kind == "compose-service" or c.kind == "docker-run" then
            if c.no_new_privileges == false then
                report{ at = c, field = "no_new_privileges",
                    message = "no-new-privileges is explicitly turned off" }
            elseif c.no_new_privileges ~= true then
                report{ at = c, message = (c.kind == "docker-run" and "--security-opt" or
                    "security_opt") .. " does not set no-new-privileges" }
            end
            return
        end
        if c.allow_privilege_escalation == true then
            report{ at = c, field = "allow_privilege_escalation",
                message = "allowPrivilegeEscalation is true" }
        elseif c.allow_privilege_escalation == nil then
            report{ at = c, message = "allowPrivilegeEscalation is not set to false" }
        end
    end,
}
