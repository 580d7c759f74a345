-- CP009: logs that are not kept, or kept without bounds. Docker's default json-file driver keeps
-- every line forever (the disk fills, and then logging stops); driver none keeps nothing.

local function opt(o, k)
    return o and o[k]
end

return {
    id = "CP009",
    control = 9,
    severity = "low",
    title = "Logging not configured",
    formats = { "compose", "docker-run" },
    description = "Without logs a breach cannot be investigated. The default json-file driver " ..
        "keeps logs without a size limit until the disk is full, and the none driver keeps " ..
        "nothing; a bounded local log or a driver that ships logs to a central system is needed.",
    remediation = "Set `logging: {driver: json-file, options: {max-size: \"10m\", max-file: " ..
        "\"3\"}}`, or the local driver, or a driver that ships logs (fluentd, syslog, gelf, " ..
        "awslogs, ...).",
    references = {
        "https://docs.docker.com/engine/logging/configure/",
        "https://docs.docker.com/engine/logging/drivers/json-file/",
    },
    check = function(c, report)
        local l = c.logging
        if not l or not l.driver then
            if l and opt(l.options, "max-size") then
                return -- options for the default json-file driver, bounded
            end
            report{ at = l or c, message = "no logging configuration: the default json-file " ..
                "driver keeps logs without a size limit" }
            return
        end
        local d = string.lower(l.driver)
        if d == "none" then
            report{ at = l, field = "driver", message = "logging driver none discards all logs" }
        elseif d == "json-file" and not opt(l.options, "max-size") then
            report{ at = l, field = "driver", message = "json-file logging without max-size " ..
                "grows without a limit" }
        end
        -- "local" rotates by default (100 MB per container), so it is bounded without options
    end,
}
