-- CP006: secrets written into an image. For a Dockerfile: literal secret values in ENV and ARG
-- (any stage: the value is in the Dockerfile and in that stage's history), and secret files that
-- COPY/ADD put into the final image, by name or through `COPY . .` from a build context whose
-- .dockerignore lets them in (build.context_files is already filtered by it).

-- A value that is (or is built from) a variable reference is not a literal secret.
local function is_reference(v)
    return string.find(v, "%$[%a_{]") ~= nil
end

local function skip_name(name)
    local up = string.upper(name or "")
    for _, suffix in ipairs(cpol.option("reference_suffixes") or {}) do
        if #up > #suffix and string.sub(up, -#suffix) == suffix then
            return true
        end
    end
    return false
end

-- cpol.secret, plus the team's own secret names (option extra_names: globs on the upper-cased
-- name, e.g. "ACME_*_KEY") holding a literal value.
local function secret_reason(name, value)
    local why = cpol.secret(name, value)
    if why or is_reference(value) then
        return why
    end
    local up = string.upper(name or "")
    for _, pat in ipairs(cpol.option("extra_names") or {}) do
        if cpol.glob(string.upper(pat), up) then
            return "name matches the configured secret name " .. pat
        end
    end
    return nil
end

-- Where an entry was written, as one number: every entry compared comes from the same
-- Dockerfile, so line and column tell them apart (a string with the file name cost more than the
-- rest of the rule).
local function pos_key(t)
    local p = t.pos
    if not p then
        return nil
    end
    return p.line * 4294967296 + p.col
end

local function basename(p)
    return string.match(p, "([^/]+)/*$") or p
end

-- scheme://user:password@host
local function url_credentials(s)
    local userinfo = string.match(s, "^%a[%w+.%-]*://([^/@]+)@")
    if userinfo and string.find(userinfo, ":", 1, true) and not is_reference(userinfo) then
        return true
    end
    return false
end

local function check_var(kind, v, stage_label, in_final, replaced, report, seen)
    local key = pos_key(v)
    if key then
        if seen[key] then
            return
        end
        seen[key] = true
    end
    local value = v.value
    if type(value) ~= "string" or value == "" or v.unresolved then
        return
    end
    if skip_name(v.name) then
        return
    end
    local why = secret_reason(v.name, value)
    if not why then
        return
    end
    -- the same name and value declared again (ARG repeated in every stage) is one secret
    local same = kind .. "\0" .. tostring(v.name) .. "\0" .. value
    if seen[same] then
        return
    end
    seen[same] = true
    local where
    if kind == "ENV" and in_final and replaced then
        where = "setting it again later does not remove it from the image history"
    elseif kind == "ENV" and in_final then
        where = "it is stored in the image configuration"
    elseif kind == "ENV" then
        where = "it is stored in the image of stage " .. stage_label .. " and in the build cache"
    elseif in_final then
        where = "RUN steps record build arguments in the image history"
    elseif stage_label ~= "" then
        where = "it is written in the Dockerfile and recorded in the history of stage " ..
            stage_label
    else
        where = "it is written in the Dockerfile and recorded in the history of every stage " ..
            "that declares it"
    end
    report{ at = v, field = "value", message = kind .. " " .. tostring(v.name) ..
        " has a literal secret value (" .. why .. "); " .. where }
end

-- The definitions an ENV/ARG instruction writes, as {name, value, pos}: "A=1 B=2", the legacy
-- "ENV NAME value words" and a bare "ARG NAME". The stage's env/args lists hold only the values in
-- effect at the end of the stage; an earlier definition that a later one replaced is found here.
local function definitions(ins)
    local items = ins.args or {}
    local fp = items.field_pos or {}
    local function at(k)
        return fp[k] or fp[tostring(k)] or ins.pos
    end
    local out = {}
    local n = #items
    if ins.cmd == "ENV" and n >= 2 and not string.find(items[1], "=", 1, true) then
        local rest = {}
        for k = 2, n do
            rest[#rest + 1] = items[k]
        end
        out[1] = { name = items[1], value = table.concat(rest, " "), pos = at(1) }
        return out
    end
    for k = 1, n do
        local name, value = string.match(items[k], "^([^=]+)=(.*)$")
        if name then
            out[#out + 1] = { name = name, value = value, pos = at(k) }
        end
    end
    return out
end

-- Context files a COPY/ADD source takes in: "." is all of them, a directory its subtree, a glob
-- what it matches (also below a matched directory).
local function context_matches(src, files)
    local s = string.gsub(src, "^%./", "")
    s = string.gsub(s, "^/+", "")
    s = string.gsub(s, "/+$", "")
    if s == "." then
        s = ""
    end
    local out = {}
    local glob = string.find(s, "[%*%?%[]") ~= nil
    for _, f in ipairs(files) do
        local hit = false
        if s == "" then
            hit = true
        elseif glob then
            local prefix = ""
            for part in string.gmatch(f, "[^/]+") do
                prefix = prefix == "" and part or (prefix .. "/" .. part)
                -- a source that is no valid pattern (`[a`) matches nothing; Docker refuses it
                local ok, m = pcall(cpol.glob, s, prefix)
                if ok and m then
                    hit = true
                    break
                end
            end
        else
            hit = f == s or string.sub(f, 1, #s + 1) == s .. "/"
        end
        if hit then
            out[#out + 1] = f
        end
    end
    return out
end

-- The source arguments of a COPY/ADD (every argument but the destination).
local function sources(ins)
    local args = ins.args or {}
    local out = {}
    for k = 1, #args - 1 do
        out[#out + 1] = args[k]
    end
    return out
end

-- A later RUN of the chain that deletes the file: it stays in the COPY layer all the same.
local function removed_later(chain_ins, from, name)
    local base = basename(name)
    for k = from + 1, #chain_ins do
        local ins = chain_ins[k]
        if ins.cmd == "RUN" then
            local text = table.concat(ins.args or {}, " ")
            if string.find(" " .. text, "[%s;&|(]rm%s") then
                for w in string.gmatch(text, "[^%s;&|'\"()]+") do
                    if basename(w) == base then
                        return ins
                    end
                end
            end
        end
    end
    return nil
end

local function line_of(t)
    return t.pos and t.pos.line and tostring(t.pos.line) or "?"
end

local function check_copy(ins, k, chain_ins, build, report)
    local flags = ins.flags or {}
    if ins.heredocs and #ins.heredocs > 0 then
        return -- inline content written in the Dockerfile, not a file
    end
    local files = (not flags.from) and build.context_files or nil
    for _, src in ipairs(sources(ins)) do
        if ins.cmd == "ADD" and url_credentials(src) and cpol.secret_value(src) then
            local shown = string.gsub(src, "//[^/@]+@", "//***@")
            report{ at = ins, message = "ADD " .. shown .. " embeds credentials in the URL" }
        elseif not string.find(src, "^%a[%w+.%-]*://") and not is_reference(src) then
            local why = cpol.secret_path(src)
            if why then
                local msg = ins.cmd .. " " .. src .. " puts a secret file in the image (" .. why .. ")"
                local rm = removed_later(chain_ins, k, src)
                if rm then
                    msg = msg .. "; the RUN rm on line " .. line_of(rm) ..
                        " does not remove it from the " .. ins.cmd .. " layer"
                end
                report{ at = ins, message = msg }
            elseif files then
                local hits = {}
                for _, f in ipairs(context_matches(src, files)) do
                    if cpol.secret_path(f) then
                        hits[#hits + 1] = f
                    end
                end
                if #hits > 0 then
                    local shown = {}
                    for n = 1, math.min(#hits, 3) do
                        shown[n] = hits[n]
                    end
                    local list = table.concat(shown, ", ")
                    if #hits > 3 then
                        list = list .. " and " .. (#hits - 3) .. " more"
                    end
                    report{ at = ins, message = ins.cmd .. " " .. src ..
                        " copies secret files from the build context (" .. list ..
                        "); exclude them in .dockerignore" }
                end
            end
        end
    end
end

return {
    id = "CP006",
    control = 6,
    severity = "critical",
    title = "Secret stored in the image",
    formats = { "dockerfile", "compose", "k8s", "oci", "docker-run" },
    description = "Anything written into an image can be read by whoever can pull it: ENV " ..
        "values sit in the image configuration, ARG values in the history of the RUN steps " ..
        "that use them, and a copied file stays in its layer even when a later RUN deletes " ..
        "it. Literal secrets in ENV and ARG are reported in every stage, since the value is " ..
        "also in the Dockerfile and the build cache; copied secret files only when they reach " ..
        "the final image (the final stage and the stages it is built FROM).",
    remediation = "Pass secrets at run time (environment from a secret store, mounted files) " ..
        "or to a build step with `RUN --mount=type=secret,id=...`; list .env, keys and " ..
        "credential files in .dockerignore; rotate any secret that was already built into " ..
        "an image.",
    references = {
        "https://docs.docker.com/build/building/secrets/",
        "https://docs.docker.com/build/concepts/context/#dockerignore-files",
    },
    options = {
        -- variables whose value names where a secret is, not the secret (DB_PASSWORD_FILE)
        reference_suffixes = { "_FILE", "_PATH", "_DIR", "_URL_FILE" },
        -- more names to treat as secrets when they hold a literal value (globs, any case)
        extra_names = {},
    },
    check = function(c, report)
        if c.kind ~= "dockerfile" then
            -- compose `environment:` and Kubernetes `env[].value`: literal values only; `${VAR}`
            -- is filled in at deploy time and secretKeyRef reads a Secret
            local where = c.kind == "compose-service" and "environment" or
                c.kind == "docker-run" and "-e" or c.kind == "oci" and "process.env" or "env"
            for _, e in ipairs(c.env or {}) do
                local v = e.value
                if type(v) == "string" and not e.interpolated and not e.from_secret and e.name then
                    local reason = secret_reason(e.name, v)
                    if reason then
                        report{ at = e, field = "value", message = where .. " " .. e.name ..
                            " has a literal secret value (" .. reason .. ")" }
                    end
                end
            end
            return
        end
        local build = c.build
        if not build then
            return
        end
        local seen = {}
        local _, chain = cpol.final_chain(build)
        for _, a in ipairs(build.args or {}) do
            check_var("ARG", a, "", false, false, report, seen)
        end
        for i, s in ipairs(build.stages or {}) do
            local label = s.name or tostring(i - 1)
            -- the model's entries carry substitution results (unresolved) and value positions
            local known = {}
            for _, list in ipairs({ s.env or {}, s.args or {} }) do
                for _, e in ipairs(list) do
                    local key = pos_key(e)
                    if key then
                        known[key] = e
                    end
                end
            end
            for _, ins in ipairs(s.instructions or {}) do
                if ins.cmd == "ENV" or ins.cmd == "ARG" then
                    for _, d in ipairs(definitions(ins)) do
                        local kd = pos_key(d)
                        local e = kd and known[kd]
                        check_var(ins.cmd, e or d, label, chain[i], e == nil, report, seen)
                    end
                end
            end
            for _, e in ipairs(s.env or {}) do
                check_var("ENV", e, label, chain[i], false, report, seen)
            end
        end
        -- the instructions whose layers the final image carries, in build order
        local chain_ins = {}
        for i, s in ipairs(build.stages or {}) do
            if chain[i] then
                for _, ins in ipairs(s.instructions or {}) do
                    chain_ins[#chain_ins + 1] = ins
                end
            end
        end
        for k, ins in ipairs(chain_ins) do
            if ins.cmd == "COPY" or ins.cmd == "ADD" then
                check_copy(ins, k, chain_ins, build, report)
            end
        end
    end,
}
