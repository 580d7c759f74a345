-- CP007: without limits one container can take all memory, CPU or process slots of the host
-- (a fork bomb, a leak, a crypto miner) and starve everything else.

return {
    id = "CP007",
    control = 7,
    severity = "medium",
    title = "Resource limits missing",
    formats = { "compose", "k8s", "oci", "docker-run" },
    description = "A container without memory, CPU and process limits can exhaust the host: a " ..
        "memory leak triggers the kernel's OOM killer on other workloads, a busy loop takes " ..
        "every core, a fork bomb fills the process table.",
    remediation = "Compose: `deploy.resources.limits: {memory: 512M, cpus: \"1.0\", pids: " ..
        "100}` (or mem_limit, cpus, pids_limit). Kubernetes: `resources.limits: {memory: " ..
        "512Mi, cpu: 500m}` on every container.",
    references = {
        "https://docs.docker.com/reference/compose-file/deploy/#resources",
        "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
    },
    check = function(c, report)
        local r = c.resources or {}
        local missing = {}
        if r.memory_limit == nil then
            missing[#missing + 1] = "memory"
        end
        if r.cpu_limit == nil then
            missing[#missing + 1] = "cpu"
        end
        -- Kubernetes limits processes per node or pod (kubelet podPidsLimit), not per container
        if c.kind ~= "k8s-container" and c.kind ~= "k8s-init-container" and
            c.kind ~= "k8s-ephemeral-container" and r.pids_limit == nil then
            missing[#missing + 1] = "pids"
        end
        if #missing > 0 then
            report{ at = c.resources or c, message = "no " .. table.concat(missing, ", ") ..
                " limit" .. (#missing > 1 and "s" or "") }
        end
    end,
}
