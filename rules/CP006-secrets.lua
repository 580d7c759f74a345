-- CP006: secrets written into an image. For a Dockerfile: literal secret values in ENV and ARG
-- (any stage: the value is in the Dockerfile and in that stage's history), and secret files that
-- COPY/ADD put into the final image, by name or through `COPY . .` from a build context whose
-- .dockerignore lets them in (build.context_files is already filtered by it).

-- A value that is (or is built from) a variable reference is not a literal secret.
local function is_reference(v)
    return string.find(v, "%$[%a_{]") ~= nil
end

-- Verdicts that depend only on a name or a name and value (and the options): kept per engine, so
-- a variable set in many files is judged once. They start over when the option tables change,
-- and at most MAX_MEMO entries are kept.
local memo = { n = 0 }
local MAX_MEMO = 10000

local function memo_for_options()
    local suffixes, extra = cpol.option("reference_suffixes"), cpol.option("extra_names")
    if memo.suffixes ~= suffixes or memo.extra ~= extra then
        memo = { suffixes = suffixes, extra = extra, skip = {}, why = {}, n = 0 }
    end
    return memo
end

local function skip_name(name)
    local m = memo
    local key = name or ""
    local v = m.skip[key]
    if v == nil then
        v = false
        local up = string.upper(key)
        for _, suffix in ipairs(m.suffixes or {}) do
            if #up > #suffix and string.sub(up, -#suffix) == suffix then
                v = true
                break
            end
        end
        if m.n < MAX_MEMO then
            m.skip[key] = v
            m.n = m.n + 1
        end
    end
    return v
end

-- cpol.secret, plus the team's own secret names (option extra_names: globs on the upper-cased
-- name, e.g. "ACME_*_KEY") holding a literal value.
local function judge(name, value)
    local why = cpol.secret(name, value)
    if why or is_reference(value) then
        return why
    end
    local up = string.upper(name or "")
    for _, pat in ipairs(memo.extra or {}) do
        if cpol.glob(string.upper(pat), up) then
            return "name matches the configured secret name " .. pat
        end
    end
    return nil
end

-- The kept verdict for name and value: a reason, false (none), or nil when not judged yet.
local function known_reason(name, value)
    local by_value = memo.why[name]
    if by_value == nil then
        return nil
    end
    return by_value[value]
end

local function secret_reason(name, value)
    local m = memo
    local by_value = m.why[name]
    local v = by_value and by_value[value]
    if v == nil then
        v = judge(name, value) or false
        if m.n < MAX_MEMO then
            if not by_value then
                by_value = {}
                m.why[name] = by_value
            end
            by_value[value] = v
            m.n = m.n + 1
        end
    end
    return v or nil
end

-- Where an entry was written, as one number: every entry compared comes from the same
-- Dockerfile, so line and column tell them apart (a string with the file name cost more than the
-- rest of the rule).
local function pos_key(p)
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

-- v: a model entry or a definition (name, value, pos); key: pos_key of its position.
local function check_var(kind, v, key, stage_label, in_final, replaced, report, seen)
    if key then
        if seen[key] then
            return
        end
        seen[key] = true
    end
    local value = v.value
    if type(value) ~= "string" or value == "" then
        return
    end
    local name = v.name
    -- a value already judged harmless needs no more reads (unresolved would only skip it too)
    if name ~= nil and known_reason(name, value) == false then
        return
    end
    if v.unresolved or skip_name(name) then
        return
    end
    local why = secret_reason(name, value)
    if not why then
        return
    end
    -- the same name and value declared again (ARG repeated in every stage) is one secret
    local same = kind .. "\0" .. tostring(name) .. "\0" .. value
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
    report{ at = v, field = "value", message = kind .. " " .. tostring(name) ..
        " has a literal secret value (" .. why .. "); " .. where }
end

-- The definitions an ENV/ARG instruction writes, as {name, value, pos}: "A=1 B=2", the legacy
-- "ENV NAME value words" and a bare "ARG NAME". The stage's env/args lists hold only the values in
-- effect at the end of the stage; an earlier definition that a later one replaced is found here.
-- (args is a list: its field_pos has integer keys only.)
local function definitions(ins, cmd)
    local items = ins.args or {}
    local n = #items
    local out = {}
    if n == 0 then
        return out
    end
    local fp = items.field_pos or {}
    local first = items[1]
    if cmd == "ENV" and n >= 2 and not string.find(first, "=", 1, true) then
        local rest = {}
        for k = 2, n do
            rest[#rest + 1] = items[k]
        end
        out[1] = { name = first, value = table.concat(rest, " "), pos = fp[1] or ins.pos }
        return out
    end
    for k = 1, n do
        local name, value = string.match(k == 1 and first or items[k], "^([^=]+)=(.*)$")
        if name then
            out[#out + 1] = { name = name, value = value, pos = fp[k] or ins.pos }
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
    if s == "" then
        return files
    end
    local out = {}
    local glob = string.find(s, "[%*%?%[]") ~= nil
    local dir = s .. "/"
    for _, f in ipairs(files) do
        local hit = false
        if glob then
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
            hit = f == s or string.sub(f, 1, #dir) == dir
        end
        if hit then
            out[#out + 1] = f
        end
    end
    return out
end

-- The context files that are secret files, in order: what any COPY/ADD source can bring in is
-- among them, so a source is matched against these few instead of the whole context.
local function secret_context_files(build)
    local out = {}
    for _, f in ipairs(build.context_files or {}) do
        if cpol.secret_path(f) then
            out[#out + 1] = f
        end
    end
    return out
end

-- A later RUN of the chain that deletes the file: it stays in the COPY layer all the same.
local function removed_later(chain_ins, chain_cmd, from, name)
    local base = basename(name)
    for k = from + 1, #chain_ins do
        local ins = chain_ins[k]
        if chain_cmd[k] == "RUN" then
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
    local p = t.pos
    local line = p and p.line
    return line and tostring(line) or "?"
end

-- ctx: per build, the secret context files (computed on first use).
local function check_copy(ins, cmd, k, chain_ins, chain_cmd, build, ctx, report)
    local heredocs = ins.heredocs
    if heredocs and #heredocs > 0 then
        return -- inline content written in the Dockerfile, not a file
    end
    local flags = ins.flags
    local from_context = not (flags and flags.from)
    local args = ins.args or {}
    for j = 1, #args - 1 do
        local src = args[j]
        if cmd == "ADD" and url_credentials(src) and cpol.secret_value(src) then
            local shown = string.gsub(src, "//[^/@]+@", "//***@")
            report{ at = ins, message = "ADD " .. shown .. " embeds credentials in the URL" }
        elseif not string.find(src, "^%a[%w+.%-]*://") and not is_reference(src) then
            local why = cpol.secret_path(src)
            if why then
                local msg = cmd .. " " .. src .. " puts a secret file in the image (" .. why .. ")"
                local rm = removed_later(chain_ins, chain_cmd, k, src)
                if rm then
                    msg = msg .. "; the RUN rm on line " .. line_of(rm) ..
                        " does not remove it from the " .. cmd .. " layer"
                end
                report{ at = ins, message = msg }
            elseif from_context then
                if not ctx.secret_files then
                    ctx.secret_files = secret_context_files(build)
                end
                local hits = #ctx.secret_files > 0 and context_matches(src, ctx.secret_files) or {}
                if #hits > 0 then
                    local shown = {}
                    for n = 1, math.min(#hits, 3) do
                        shown[n] = hits[n]
                    end
                    local list = table.concat(shown, ", ")
                    if #hits > 3 then
                        list = list .. " and " .. (#hits - 3) .. " more"
                    end
                    report{ at = ins, message = cmd .. " " .. src ..
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
        memo_for_options()
        local kind = c.kind
        if kind ~= "dockerfile" then
            -- compose `environment:` and Kubernetes `env[].value`: literal values only; `${VAR}`
            -- is filled in at deploy time and secretKeyRef reads a Secret
            local where = kind == "compose-service" and "environment" or
                kind == "docker-run" and "-e" or kind == "oci" and "process.env" or "env"
            for _, e in ipairs(c.env or {}) do
                local v = e.value
                local name = type(v) == "string" and e.name
                -- a value already judged harmless needs no more reads
                if name and known_reason(name, v) ~= false and not e.interpolated
                    and not e.from_secret then
                    local reason = secret_reason(name, v)
                    if reason then
                        report{ at = e, field = "value", message = where .. " " .. name ..
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
            check_var("ARG", a, pos_key(a.pos), "", false, false, report, seen)
        end
        -- the instructions whose layers the final image carries, in build order (COPY/ADD to
        -- check, RUN for removed_later), with their commands
        local chain_ins, chain_cmd = {}, {}
        for i, s in ipairs(build.stages or {}) do
            local label = s.name or tostring(i - 1)
            local in_chain = chain[i]
            local env = s.env or {}
            -- the model's entries carry substitution results (unresolved) and value positions;
            -- made when the stage has an ENV or ARG instruction
            local known, keyof
            for _, ins in ipairs(s.instructions or {}) do
                local cmd = ins.cmd
                if cmd == "ENV" or cmd == "ARG" then
                    if not known then
                        known, keyof = {}, {}
                        for _, list in ipairs({ env, s.args or {} }) do
                            for _, e in ipairs(list) do
                                local key = pos_key(e.pos)
                                keyof[e] = key or false
                                if key then
                                    known[key] = e
                                end
                            end
                        end
                    end
                    for _, d in ipairs(definitions(ins, cmd)) do
                        local kd = pos_key(d.pos)
                        local e = kd and known[kd]
                        check_var(cmd, e or d, kd, label, in_chain, e == nil, report, seen)
                    end
                elseif in_chain and (cmd == "COPY" or cmd == "ADD" or cmd == "RUN") then
                    chain_ins[#chain_ins + 1] = ins
                    chain_cmd[#chain_cmd + 1] = cmd
                end
            end
            for _, e in ipairs(env) do
                local key = keyof and keyof[e]
                if key == nil then
                    key = pos_key(e.pos)
                end
                check_var("ENV", e, key or nil, label, in_chain, false, report, seen)
            end
        end
        local ctx = {}
        for k, ins in ipairs(chain_ins) do
            local cmd = chain_cmd[k]
            if cmd ~= "RUN" then
                check_copy(ins, cmd, k, chain_ins, chain_cmd, build, ctx, report)
            end
        end
    end,
}
