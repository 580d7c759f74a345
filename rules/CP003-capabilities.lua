-- CP003: Linux capabilities. Docker grants a default set (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW,
-- ...) unless told otherwise; the control asks to drop them all and add back only what is needed.

local function has(list, name)
    for _, v in ipairs(list or {}) do
        if v == name then
            return true
        end
    end
    return false
end

return {
    id = "CP003",
    control = 3,
    severity = "medium",
    title = "Capabilities not dropped",
    formats = { "compose", "k8s", "oci", "docker-run" },
    description = "Containers start with a default set of Linux capabilities (CHOWN, " ..
        "DAC_OVERRIDE, SETUID, SETGID, NET_RAW, ...) that most applications never use and " ..
        "that exploits rely on. Dropping ALL and adding back the few that are needed leaves an " ..
        "attacker far less to work with.",
    remediation = "Drop everything and add back only what is needed: compose `cap_drop: [ALL]` " ..
        "with `cap_add: [NET_BIND_SERVICE]` if it binds a port below 1024; Kubernetes " ..
        "`securityContext.capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}`.",
    references = {
        "https://docs.docker.com/engine/security/#linux-kernel-capabilities",
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container",
    },
    options = {
        -- capabilities that may be added back
        allowed_add = { "NET_BIND_SERVICE" },
    },
    check = function(c, report)
        local caps = c.capabilities
        local allowed = cpol.option("allowed_add") or {}
        if c.kind == "oci" then
            -- an OCI config lists what the process gets: every set must stay within the allowed
            -- ones. One finding names them all, at the first one written.
            local extra, first = {}, nil
            for i, cap in ipairs(caps and caps.add or {}) do
                if not has(allowed, cap) then
                    extra[#extra + 1] = cap
                    first = first or i
                end
            end
            if #extra > 0 then
                report{ at = caps.add, field = first, message = "grants " .. #extra ..
                    " capabilit" .. (#extra == 1 and "y" or "ies") .. " outside the allowed list (" ..
                    table.concat(allowed, ", ") .. "): " .. table.concat(extra, ", ") }
            end
            return
        end
        if not (caps and has(caps.drop, "ALL")) then
            local where = c.kind == "compose-service" and "cap_drop" or
                c.kind == "docker-run" and "--cap-drop" or "securityContext.capabilities.drop"
            -- at the drop list when one is written, else at the start of the container
            report{ at = (caps and caps.drop) or c,
                message = where .. " does not include ALL, so the default capabilities remain" }
        end
        if not caps or not caps.add then
            return
        end
        for i, cap in ipairs(caps.add) do
            if cap == "ALL" then
                report{ at = caps.add, field = i, message = "adds ALL capabilities" }
            elseif not has(allowed, cap) then
                report{ at = caps.add, field = i, message = "adds capability " .. cap ..
                    ", which is not in the allowed list (" .. table.concat(allowed, ", ") .. ")" }
            end
        end
    end,
}
