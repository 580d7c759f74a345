-- CP005: a pipeline that builds or pushes container images must run a vulnerability scanner
-- whose findings fail it, at HIGH or CRITICAL at least. A scanner that only reports (trivy
-- without --exit-code, trivy-action without exit-code, grype without --fail-on, a scan step
-- with continue-on-error, a GitLab job with allow_failure, `|| true`) lets a vulnerable image
-- through. A gate in any job of the same workflow file counts, since `needs:` or a later stage
-- can hold the push back; which job runs first is not checked.

local function label(scan)
    local where = scan.pos and (" (line " .. tostring(scan.pos.line) .. ")") or ""
    return tostring(scan.tool) .. where
end

-- nil: it gates; otherwise why it does not count.
local function verdict(scan, wanted)
    if scan.target and scan.target ~= "image" then
        return "scans " .. scan.target .. ", not the image"
    end
    if scan.allowed_to_fail == true then
        return scan.note or "its failure does not fail the pipeline"
    end
    if scan.gates ~= true then
        if scan.unresolved then
            return nil -- set through a variable or expression: nothing to judge
        end
        return scan.note or "it does not fail on vulnerabilities"
    end
    if scan.severity == nil then
        return nil
    end
    for _, s in ipairs(scan.severity) do
        if wanted[s] then
            return nil
        end
    end
    return "it fails only on " .. table.concat(scan.severity, ",")
end

local function check_pipeline(p, report)
    local wanted = {}
    for _, s in ipairs(cpol.option("severities") or {}) do
        wanted[string.upper(s)] = true
    end
    local why = {}
    for _, job in ipairs(p.jobs or {}) do
        for _, scan in ipairs(job.scans or {}) do
            local v = verdict(scan, wanted)
            if v == nil then
                return -- a gate
            end
            why[#why + 1] = label(scan) .. ": " .. v
        end
    end
    local unread = {}
    for _, inc in ipairs(p.includes or {}) do
        if inc.type ~= "template" then
            unread[#unread + 1] = tostring(inc.path)
        end
    end
    for _, job in ipairs(p.jobs or {}) do
        if job.uses then
            unread[#unread + 1] = tostring(job.uses)
        end
    end
    for _, job in ipairs(p.jobs or {}) do
        local what, field
        if job.pushes_image == true then
            what, field = "pushes", "pushes_image"
        elseif job.builds_image == true then
            what, field = "builds", "builds_image"
        end
        if what then
            local fp = job.field_pos and job.field_pos[field]
            local at_line = fp and fp.line and (" (line " .. tostring(fp.line) .. ")") or ""
            local msg = "job " .. tostring(job.name) .. " " .. what .. " an image" .. at_line ..
                " but no job of this workflow runs a vulnerability scanner that fails it on " ..
                "HIGH or CRITICAL findings"
            if #why > 0 then
                msg = msg .. "; " .. table.concat(why, "; ", 1, math.min(#why, 3))
                if #why > 3 then
                    msg = msg .. "; ..."
                end
            end
            if #unread > 0 then
                msg = msg .. " (not read: " ..
                    table.concat(unread, ", ", 1, math.min(#unread, 3)) ..
                    (#unread > 3 and ", ..." or "") .. ")"
            end
            report{ at = job, object = "job " .. tostring(job.name), message = msg }
        end
    end
end

return {
    id = "CP005",
    api = 1,
    control = 5,
    severity = "high",
    title = "Image built or pushed without a failing vulnerability scan",
    formats = { "github", "gitlab" },
    description = "A CI workflow that builds or pushes a container image should run a " ..
        "vulnerability scanner whose findings fail the pipeline, so that an image with known " ..
        "HIGH or CRITICAL vulnerabilities never reaches the registry or production. Scanners " ..
        "recognised: trivy (CLI and aquasecurity/trivy-action), grype (CLI and " ..
        "anchore/scan-action), docker scout cves (CLI and docker/scout-action), snyk container " ..
        "test, GitLab container scanning. A scan only counts when it fails the job: trivy and " ..
        "trivy-action need an exit code other than 0, grype needs --fail-on, docker scout " ..
        "needs --exit-code; continue-on-error, allow_failure, a manual job, after_script, " ..
        "`|| true` and a pipe without pipefail all take the failure away. GitLab's container " ..
        "scanning template reports findings but does not fail the job on them. A gate in any " ..
        "job of the same workflow file counts.",
    remediation = "Scan the image before it is pushed (or before it is promoted) and let the " ..
        "scan fail the job: `trivy image --exit-code 1 --severity HIGH,CRITICAL <image>`, or " ..
        "with aquasecurity/trivy-action set `exit-code: 1` and `severity: HIGH,CRITICAL`; " ..
        "`grype <image> --fail-on high`; `docker scout cves --exit-code --only-severity " ..
        "critical,high <image>`; `snyk container test <image> --severity-threshold=high`. " ..
        "Do not mark the scan continue-on-error or allow_failure.",
    references = {
        "https://github.com/aquasecurity/trivy-action#inputs",
        "https://trivy.dev/latest/docs/configuration/others/#exit-code",
        "https://github.com/anchore/grype#gating-on-severity-of-vulnerabilities",
        "https://docs.docker.com/reference/cli/docker/scout/cves/",
    },
    options = {
        -- a scanner counts when it fails on at least one of these severities
        severities = { "HIGH", "CRITICAL" },
    },
    check_project = function(project, report)
        for _, p in ipairs(project.pipelines or {}) do
            check_pipeline(p, report)
        end
    end,
}
