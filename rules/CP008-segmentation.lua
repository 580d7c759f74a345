-- CP008: network segmentation. Compose: a datastore should not share a network that is not
-- internal with a service that publishes ports, because then whatever breaks into the exposed
-- service reaches the database directly. Kubernetes: a pod that no NetworkPolicy selects accepts
-- traffic from every pod in the cluster.

local function has(list, v)
    for _, x in ipairs(list or {}) do
        if x == v then
            return true
        end
    end
    return false
end

local function is_datastore(c)
    local img = c.image
    local name = img and img.name and string.lower(img.name)
    if not name then
        return false
    end
    for _, d in ipairs(cpol.option("datastores") or {}) do
        if name == d or string.find(name, d, 1, true) == 1 and
            string.match(string.sub(name, #d + 1), "^[%-_]") then
            return true
        end
    end
    return false
end

-- The networks a compose service is on ("default" when it names none and has no network mode).
local function networks_of(c)
    local n = c.network
    if n and n.mode then
        return {}
    end
    if n and n.networks and #n.networks > 0 then
        local out = {}
        for _, x in ipairs(n.networks) do
            out[#out + 1] = x
        end
        return out
    end
    return { "default" }
end

local function publishes(c)
    local n = c.network
    return n and n.ports and #n.ports > 0
end

local function compose_check(project, report)
    -- group services by compose file
    local by_doc = {}
    for _, c in ipairs(project.containers or {}) do
        if c.kind == "compose-service" then
            local f = c.document and c.document.file or "?"
            by_doc[f] = by_doc[f] or {}
            table.insert(by_doc[f], c)
        end
    end
    local internal = {}
    for _, n in ipairs(project.networks or {}) do
        if n.internal == true then
            internal[(n.document and n.document.file or "?") .. "\0" .. tostring(n.name)] = true
        end
    end
    for file, services in pairs(by_doc) do
        for _, db in ipairs(services) do
            if is_datastore(db) then
                local shared = {}
                for _, net in ipairs(networks_of(db)) do
                    if not internal[file .. "\0" .. net] then
                        for _, s in ipairs(services) do
                            if s ~= db and publishes(s) and has(networks_of(s), net) then
                                shared[#shared + 1] = s.name .. " on " .. net
                            end
                        end
                    end
                end
                if #shared > 0 then
                    table.sort(shared)
                    report{ at = db, object = db.object, message = "datastore " .. db.name ..
                        " shares a network that is not internal with services that publish " ..
                        "ports (" .. table.concat(shared, ", ") .. ")" }
                end
            end
        end
    end
end

local function selects(sel, labels)
    if not sel then
        return true
    end
    for k, v in pairs(sel.match_labels or {}) do
        if not labels or labels[k] ~= v then
            return false
        end
    end
    for _, e in ipairs(sel.match_expressions or {}) do
        local have = labels and labels[e.key]
        local op = e.operator
        if op == "In" and not has(e.values, have) then
            return false
        elseif op == "NotIn" and have ~= nil and has(e.values, have) then
            return false
        elseif op == "Exists" and have == nil then
            return false
        elseif op == "DoesNotExist" and have ~= nil then
            return false
        end
    end
    return true
end

local function k8s_check(project, report)
    local seen = {}
    for _, c in ipairs(project.containers or {}) do
        local w = c.workload
        if w and string.sub(c.kind or "", 1, 4) == "k8s-" and not seen[w] then
            seen[w] = true
            local ns = w.namespace or "default"
            local covered = false
            for _, p in ipairs(project.policies or {}) do
                if (p.namespace or "default") == ns and selects(p.pod_selector, w.pod_labels) then
                    covered = true
                    break
                end
            end
            if not covered then
                report{ at = w, object = tostring(w.kind) .. " " .. tostring(w.name),
                    message = "no NetworkPolicy in the scanned files selects the pods of " ..
                        tostring(w.kind) .. " " .. tostring(w.name) .. " (namespace " .. ns ..
                        "), so every pod in the cluster can reach them" }
            end
        end
    end
end

return {
    id = "CP008",
    control = 8,
    severity = "medium",
    title = "Network not segmented",
    formats = { "compose", "k8s" },
    description = "On a flat network every container can reach every other one, so one " ..
        "compromised front end reaches the database directly. Compose: a datastore on a " ..
        "network shared with a service that publishes ports. Kubernetes: pods that no " ..
        "NetworkPolicy in the scanned files selects accept traffic from any pod.",
    remediation = "Compose: put datastores on a network marked `internal: true` that only the " ..
        "services needing them join. Kubernetes: add a NetworkPolicy that selects the pods " ..
        "(a default-deny policy per namespace plus policies that allow the needed traffic).",
    references = {
        "https://docs.docker.com/reference/compose-file/networks/#internal",
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
    },
    options = {
        -- image names (last path part) of datastores, also with a suffix ("redis-stack")
        datastores = { "postgres", "postgis", "mysql", "mariadb", "mongo", "mongodb", "redis",
            "valkey", "memcached", "elasticsearch", "opensearch", "cassandra", "couchdb",
            "couchbase", "neo4j", "influxdb", "clickhouse", "cockroach", "mssql", "oracle",
            "etcd", "zookeeper", "rabbitmq", "kafka", "minio" },
    },
    check_project = function(project, report)
        compose_check(project, report)
        k8s_check(project, report)
    end,
}
