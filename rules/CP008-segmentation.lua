-- CP008: network segmentation. Compose: a datastore should not share a network that is not
-- internal with a service that publishes ports, because then whatever breaks into the exposed
-- service reaches the database directly. Kubernetes: a pod that no NetworkPolicy selects accepts
-- traffic from every pod in the cluster.

-- A check_project rule sees every container, network and policy of the scan, and both model
-- field reads (a call into C) and Lua instructions (counted by the sandbox's hook) are dear: so
-- the containers are walked once, each field is read once, and what must be paired (a datastore
-- and the services of its compose file, a workload and the policies of its namespace) is found
-- through indexes instead of nested loops over everything.

-- The datastore verdict per image name as written, for one datastores option table: a scan
-- names the same few images in many services.
local datastore_memo = { n = 0, by_name = {} }
local MAX_NAMES = 10000

local function datastore_verdicts()
    local list = cpol.option("datastores")
    if datastore_memo.list ~= list then
        datastore_memo = { list = list, by_name = {}, n = 0 }
    end
    return datastore_memo
end

local function is_datastore(memo, c)
    local img = c.image
    local raw = img and img.name
    if not raw then
        return false
    end
    local v = memo.by_name[raw]
    if v == nil then
        v = false
        local name = string.lower(raw)
        for _, d in ipairs(memo.list or {}) do
            if name == d or string.find(name, d, 1, true) == 1 and
                string.match(string.sub(name, #d + 1), "^[%-_]") then
                v = true
                break
            end
        end
        if memo.n < MAX_NAMES then
            memo.by_name[raw] = v
            memo.n = memo.n + 1
        end
    end
    return v
end

-- The networks a compose service is on ("default" when it names none and has no network mode),
-- as a list in the model's order and as a set, and whether it publishes ports.
local function service_info(c)
    local n = c.network
    local list
    if n and n.mode then
        list = {}
    else
        local nets = n and n.networks
        if nets and #nets > 0 then
            list = {}
            for _, x in ipairs(nets) do
                list[#list + 1] = x
            end
        else
            list = { "default" }
        end
    end
    local set = {}
    for _, x in ipairs(list) do
        set[x] = true
    end
    local ports = n and n.ports
    return { list = list, set = set, publishes = ports and #ports > 0 }
end

local function compose_check(services_by_doc, doc_order, project, report)
    if #doc_order == 0 then
        return
    end
    -- internal networks per compose file
    local internal = {}
    for _, n in ipairs(project.networks or {}) do
        if n.internal == true then
            local d = n.document
            local f = d and d.file or "?"
            local names = internal[f] or {}
            internal[f] = names
            names[tostring(n.name)] = true
        end
    end
    local memo = datastore_verdicts()
    for _, file in ipairs(doc_order) do
        local services = services_by_doc[file]
        local info
        for i, db in ipairs(services) do
            if is_datastore(memo, db) then
                -- the other services' networks, read once per file that has a datastore
                if not info then
                    info = {}
                    for j, s in ipairs(services) do
                        info[j] = service_info(s)
                    end
                end
                local shared = {}
                local names = internal[file]
                for _, net in ipairs(info[i].list) do
                    if not (names and names[tostring(net)]) then
                        for j, si in ipairs(info) do
                            if j ~= i and si.publishes and si.set[net] then
                                si.name = si.name or services[j].name
                                shared[#shared + 1] = si.name .. " on " .. net
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

-- A NetworkPolicy's pod selector as plain tables: label pairs, and expressions with their values
-- as a set; nil selects every pod.
local function compile_selector(sel)
    if not sel then
        return nil
    end
    local labels, exprs = {}, {}
    for k, v in pairs(sel.match_labels or {}) do
        labels[#labels + 1] = { k, v }
    end
    for _, e in ipairs(sel.match_expressions or {}) do
        local values = {}
        for _, x in ipairs(e.values or {}) do
            values[x] = true
        end
        exprs[#exprs + 1] = { key = e.key, op = e.operator, values = values }
    end
    return { labels = labels, exprs = exprs }
end

local function selects(sel, labels)
    for _, kv in ipairs(sel.labels) do
        if not labels or labels[kv[1]] ~= kv[2] then
            return false
        end
    end
    for _, e in ipairs(sel.exprs) do
        local have = labels and labels[e.key]
        local op = e.op
        local listed = have ~= nil and e.values[have] == true
        if op == "In" and not listed then
            return false
        elseif op == "NotIn" and listed then
            return false
        elseif op == "Exists" and have == nil then
            return false
        elseif op == "DoesNotExist" and have ~= nil then
            return false
        end
    end
    return true
end

-- The policies of each namespace, indexed so that a workload meets few of them: `all` when one
-- selects every pod (no selector, or an empty one); otherwise a selector with label pairs is
-- found through its first pair (gates[key][value]), and one with only expressions is tried on
-- every workload.
local function index_policies(project)
    local by_ns = {}
    for _, p in ipairs(project.policies or {}) do
        local ns = p.namespace or "default"
        local idx = by_ns[ns]
        if not idx then
            idx = { gates = {}, keys = {}, rest = {} }
            by_ns[ns] = idx
        end
        if not idx.all then
            local sel = compile_selector(p.pod_selector)
            if not sel or (#sel.labels == 0 and #sel.exprs == 0) then
                idx.all = true
            elseif #sel.labels == 0 then
                idx.rest[#idx.rest + 1] = sel
            else
                local k, v = sel.labels[1][1], sel.labels[1][2]
                local by_value = idx.gates[k]
                if not by_value then
                    by_value = {}
                    idx.gates[k] = by_value
                    idx.keys[#idx.keys + 1] = k
                end
                local list = by_value[v] or {}
                by_value[v] = list
                list[#list + 1] = sel
            end
        end
    end
    return by_ns
end

local function covered(idx, labels)
    if idx.all then
        return true
    end
    if labels then
        for _, k in ipairs(idx.keys) do
            local have = labels[k]
            local list = have ~= nil and idx.gates[k][have]
            if list then
                for _, sel in ipairs(list) do
                    if selects(sel, labels) then
                        return true
                    end
                end
            end
        end
    end
    for _, sel in ipairs(idx.rest) do
        if selects(sel, labels) then
            return true
        end
    end
    return false
end

local function k8s_check(workloads, project, report)
    if #workloads == 0 then
        return
    end
    local by_ns = index_policies(project)
    for _, w in ipairs(workloads) do
        local ns = w.namespace or "default"
        local idx = by_ns[ns]
        if not (idx and covered(idx, w.pod_labels)) then
            local kind, name = tostring(w.kind), tostring(w.name)
            report{ at = w, object = kind .. " " .. name,
                message = "no NetworkPolicy in the scanned files selects the pods of " ..
                    kind .. " " .. name .. " (namespace " .. ns ..
                    "), so every pod in the cluster can reach them" }
        end
    end
end

-- Container kinds known to be (true) or not to be (false) Kubernetes ones; any other kind that
-- starts with "k8s-" is one too.
local K8S_KINDS = { ["k8s-container"] = true, ["k8s-init-container"] = true,
    ["k8s-ephemeral-container"] = true, dockerfile = false, oci = false, ["docker-run"] = false }

-- One pass over the containers: compose services grouped by compose file (files in the order
-- first seen) and Kubernetes workloads in order, each once.
local function gather(project)
    local by_doc, doc_order, doc_file = {}, {}, {}
    local workloads, seen = {}, {}
    for _, c in ipairs(project.containers or {}) do
        local kind = c.kind
        if kind == "compose-service" then
            local d = c.document
            local f = "?"
            if d then
                f = doc_file[d]
                if f == nil then
                    f = d.file or "?"
                    doc_file[d] = f
                end
            end
            local list = by_doc[f]
            if not list then
                list = {}
                by_doc[f] = list
                doc_order[#doc_order + 1] = f
            end
            list[#list + 1] = c
        elseif K8S_KINDS[kind] or kind and K8S_KINDS[kind] == nil and
            string.sub(kind, 1, 4) == "k8s-" then
            local w = c.workload
            if w and not seen[w] then
                seen[w] = true
                workloads[#workloads + 1] = w
            end
        end
    end
    return by_doc, doc_order, workloads
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
        local by_doc, doc_order, workloads = gather(project)
        compose_check(by_doc, doc_order, project, report)
        k8s_check(workloads, project, report)
    end,
}
