-- CP107: the final image declares how to tell that it is healthy. The parser gives the effective
-- HEALTHCHECK of the final stage (a FROM <stage> chain passes it on); HEALTHCHECK NONE switches off
-- one inherited from the base image, which is reported where it is written.

return {
    id = "CP107",
    control = 9,
    severity = "low",
    title = "No health check",
    formats = { "dockerfile", "compose", "k8s" },
    description = "Without a health check the runtime only knows whether the process exists, " ..
        "not whether it still serves: a hung or deadlocked application keeps receiving " ..
        "traffic and is never restarted, and monitoring has no signal to alert on.",
    remediation = "Add a HEALTHCHECK to the final stage that exercises the application, e.g. " ..
        "`HEALTHCHECK --interval=30s --timeout=3s CMD [\"/app/healthcheck\"]` or a `curl -f` " ..
        "against a health endpoint when the image has curl; orchestrators that probe on their " ..
        "own (Kubernetes) can replace it with probes.",
    references = {
        "https://docs.docker.com/reference/dockerfile/#healthcheck",
    },
    check = function(c, report)
        if c.kind == "k8s-init-container" or c.kind == "k8s-ephemeral-container" then
            return -- they run to completion or for debugging; probes do not apply
        end
        if c.kind == "k8s-container" then
            local p = c.probes
            if not (p and (p.liveness or p.readiness)) then
                report{ at = c, message = "no liveness or readiness probe" }
            end
            return
        end
        if c.kind == "compose-service" and c.healthcheck == nil then
            -- the image's own HEALTHCHECK applies when the service builds it
            local b = c.build
            local final = b and b.stages and b.stages[b.final or #b.stages]
            local hc = final and final.healthcheck
            if hc and not hc.disabled then
                return
            end
            report{ at = c, message = "no healthcheck" .. (b and
                " (neither in the service nor in the Dockerfile it builds)" or "") }
            return
        end
        local hc = c.healthcheck
        if hc == nil then
            report{ at = c, message = "no HEALTHCHECK in the final stage" }
        elseif hc.disabled then
            report{ at = hc, message = c.kind == "dockerfile" and
                "HEALTHCHECK NONE disables the health check" or "the health check is disabled" }
        end
    end,
}
