-- CP011: a Dockerfile that builds an application in one stage ships the tools it was built with.
-- Reported when the final image's stage chain copies nothing from another stage (no multi-stage
-- build), builds or installs an application from the context, and keeps a toolchain: a language
-- SDK base image, compiler or -dev packages installed and not removed, or development dependencies.
-- Images whose product is the toolchain (a Dockerfile that copies no application) and development
-- images (a final chain with a stage named dev, test, ...) are left alone.

local function lower(s)
    return s and string.lower(s) or nil
end

local function basename_of(p)
    return string.match(p, "([^/]+)$") or p
end

local function words(s)
    local out = {}
    for w in string.gmatch(string.lower(s or ""), "[^%-_%.]+") do
        out[#out + 1] = w
    end
    return out
end

local function has_word(tag, list)
    for _, w in ipairs(words(tag)) do
        for _, m in ipairs(list) do
            if w == m or (string.sub(w, 1, #m) == m and string.match(string.sub(w, #m + 1), "^%d+$")) then
                return true
            end
        end
    end
    return false
end

-- A toolchain base: an official SDK image (any tag, e.g. golang, rust, maven) or a language image
-- whose full variant is built on buildpack-deps (node, python, ruby) unless the tag is a slim one.
local function judge_base(registry, repo, tag, sdk_images)
    local full = registry .. "/" .. repo
    local function official(name)
        return repo == "library/" .. name or string.sub(repo, -(#name + 9)) == "/library/" .. name
    end
    for _, e in ipairs(sdk_images) do
        local hit
        if string.find(e.image, "/", 1, true) then
            hit = cpol.glob(e.image, full)
        else
            hit = official(e.image)
        end
        if hit and not has_word(tag, e.except or {}) then
            return e.why
        end
    end
    return nil
end

-- The verdict depends on registry, repository and tag (and the option) only: kept per engine
-- (at most MAX_BASES), since a repository builds on the same few images everywhere.
local bases = { n = 0 }
local MAX_BASES = 10000

local function toolchain_base(image)
    if not image or image.scratch or image.unresolved then
        return nil
    end
    local sdk_images = cpol.option("sdk_images")
    if bases.sdk_images ~= sdk_images then
        bases = { sdk_images = sdk_images, by_key = {}, n = 0 }
    end
    local registry, repo, tag = image.registry or "", image.repository or "", image.tag or ""
    local key = registry .. "\0" .. repo .. "\0" .. tag
    local v = bases.by_key[key]
    if v == nil then
        v = judge_base(registry, repo, tag, sdk_images or {}) or false
        if bases.n < MAX_BASES then
            bases.by_key[key] = v
            bases.n = bases.n + 1
        end
    end
    return v or nil
end

local BUILD_PKGS_EXACT = {
    ["build-essential"] = true, ["build-base"] = true, ["alpine-sdk"] = true, gcc = true,
    ["g++"] = true, ["gcc-c++"] = true, clang = true, make = true, cmake = true, autoconf = true,
    automake = true, libtool = true, ["musl-dev"] = true, ["libc6-dev"] = true,
    ["linux-headers"] = true, golang = true, rustc = true, cargo = true, ["default-jdk"] = true,
    ["openjdk-jdk"] = true,
}

local function build_package(p)
    if BUILD_PKGS_EXACT[p] then
        return true
    end
    if string.match(p, "^gcc%-?%d+$") or string.match(p, "^g%+%+%-?%d+$")
        or string.match(p, "^clang%-?%d+$") or string.match(p, "^openjdk%-?%d*%-jdk") then
        return true
    end
    -- Debian/Alpine -dev and RPM -devel packages (headers and static libraries)
    if string.match(p, "^[%w][%w.+]*%-dev$") or string.match(p, "^[%w][%w.+%-]*%-devel$") then
        return true
    end
    return false
end

-- Split a shell command line into simple commands (on ; && || | and newlines).
local function commands(text)
    local out = {}
    text = string.gsub(text, "\\\n", " ")
    for part in string.gmatch(text .. ";", "([^;&|\n]*)[;&|\n]") do
        if string.find(part, "%S") then
            local ws = {}
            -- one leading and one trailing quote come off a word; most commands have none
            local quoted = string.find(part, "['\"]") ~= nil
            for w in string.gmatch(part, "%S+") do
                if quoted then
                    w = string.gsub(w, "^['\"]", "")
                    w = string.gsub(w, "['\"]$", "")
                end
                ws[#ws + 1] = w
            end
            out[#out + 1] = ws
        end
    end
    return out
end

local INSTALL = {
    ["apt-get"] = "install", apt = "install", apk = "add", yum = "install", dnf = "install",
    microdnf = "install", zypper = "install", tdnf = "install",
}
local REMOVE = {
    ["apt-get"] = { purge = true, remove = true, autoremove = true },
    apt = { purge = true, remove = true, autoremove = true },
    apk = { del = true }, yum = { remove = true, erase = true, autoremove = true },
    dnf = { remove = true, erase = true, autoremove = true }, microdnf = { remove = true },
    zypper = { remove = true, rm = true }, tdnf = { remove = true, erase = true },
    ["apt-mark"] = { auto = true },
}

-- The package manager a simple command runs (after sudo/env prefixes), and the rest of it.
local function tool(ws)
    local k = 1
    while ws[k] == "sudo" or ws[k] == "env" or (ws[k] and string.find(ws[k], "^[%a_][%w_]*=")) do
        k = k + 1
    end
    local t = ws[k] and basename_of(ws[k]) or nil
    return t, k
end

-- The tools a RUN can be judged by: package managers (INSTALL, REMOVE) and npm, yarn, pip. A tool
-- is the basename of a word, so a text that contains none of these strings has none of them.
local TOOL_WORDS = { "apt", "apk", "yum", "dnf", "zypper", "npm", "yarn", "pip" }

local function mentions_tool(text)
    for _, w in ipairs(TOOL_WORDS) do
        if string.find(text, w, 1, true) then
            return true
        end
    end
    return false
end

-- Build packages a RUN installs and does not remove in the same RUN (cmds from commands(), tools
-- and ks from tool() for each).
local function installed_build_packages(cmds, tools, ks)
    for n, ws in ipairs(cmds) do
        local verbs = REMOVE[tools[n]]
        if verbs then
            for j = ks[n] + 1, #ws do
                if verbs[ws[j]] then
                    return {} -- build dependencies installed and purged in one layer are not kept
                end
            end
        end
    end
    local found = {}
    for n, ws in ipairs(cmds) do
        local verb = INSTALL[tools[n]]
        local active = false
        if verb then
            for j = ks[n] + 1, #ws do
                local w = ws[j]
                if not active then
                    active = w == verb
                elseif string.sub(w, 1, 1) ~= "-" and not string.find(w, "[=$]") then
                    local name = string.gsub(w, "[<>=:].*$", "")
                    if build_package(name) then
                        found[#found + 1] = name
                    end
                end
            end
        end
    end
    return found
end

-- npm/yarn/pip steps that install development dependencies.
local DEV_TOOLS = { npm = true, yarn = true, pip = true, pip3 = true }

-- env_production() tells whether the image sets NODE_ENV=production (read when needed).
local function dev_dependencies(cmds, tools, ks, env_production)
    for n, ws in ipairs(cmds) do
        local t, k = tools[n], ks[n]
        if DEV_TOOLS[t] then
            local rest = {}
            for j = k + 1, #ws do
                rest[#rest + 1] = ws[j]
            end
            local joined = " " .. table.concat(rest, " ") .. " "
            if t == "npm" and (rest[1] == "install" or rest[1] == "i" or rest[1] == "ci") then
                local pkgs = false
                for j = 2, #rest do
                    if string.sub(rest[j], 1, 1) ~= "-" then
                        pkgs = true
                    end
                end
                local prod = string.find(joined, "%-%-production")
                    or string.find(joined, "%-%-omit[= ]dev")
                    or string.find(joined, "%-%-only[= ]prod")
                if not pkgs and not prod and not string.find(joined, " %-g ")
                    and not env_production() then
                    return "npm " .. rest[1] .. " installs devDependencies"
                end
            elseif t == "yarn" and (rest[1] == nil or rest[1] == "install") then
                if not string.find(joined, "%-%-production") and not env_production() then
                    return "yarn install installs devDependencies"
                end
            elseif (t == "pip" or t == "pip3") and rest[1] == "install" then
                for j = 2, #rest do
                    local w = string.lower(rest[j])
                    if (rest[j - 1] == "-r" or rest[j - 1] == "--requirement")
                        and string.find(w, "dev") then
                        return "pip installs development requirements " .. rest[j]
                    end
                    if string.find(w, "%[[^%]]*dev[^%]]*%]")
                        or string.find(w, "%[[^%]]*test[^%]]*%]") then
                        return "pip installs development extras " .. rest[j]
                    end
                end
            end
        end
    end
    return nil
end

-- Stage names judged by dev_stage_words, kept per engine (at most MAX_NAMES; started over when
-- the option table changes): the same few names (build, builder, final...) come back everywhere.
local dev_names = { n = 0 }
local MAX_NAMES = 10000

local function dev_stage(name)
    if name == nil then
        return false
    end
    local words_opt = cpol.option("dev_stage_words")
    if dev_names.words_opt ~= words_opt then
        dev_names = { words_opt = words_opt, by_name = {}, n = 0 }
    end
    local v = dev_names.by_name[name]
    if v == nil then
        v = has_word(name, words_opt or {})
        if dev_names.n < MAX_NAMES then
            dev_names.by_name[name] = v
            dev_names.n = dev_names.n + 1
        end
    end
    return v
end

-- The manifests and source_extensions options as sets, made again when the option tables change.
local sets = {}

local function option_sets()
    local manifests, exts = cpol.option("manifests"), cpol.option("source_extensions")
    if sets.manifests_opt ~= manifests or sets.exts_opt ~= exts then
        sets = { manifests_opt = manifests, exts_opt = exts, manifests = {}, exts = {} }
        for _, m in ipairs(manifests or {}) do
            sets.manifests[m] = true
        end
        for _, e in ipairs(exts or {}) do
            sets.exts[e] = true
        end
    end
    return sets
end

-- A COPY/ADD from the build context (not --from) that brings in an application: the context
-- itself or a directory or glob of it, a dependency manifest, a source file or a src directory.
local function copies_application(ins, opt)
    local heredocs = ins.heredocs
    if heredocs and #heredocs > 0 then
        return false
    end
    local args = ins.args or {}
    for k = 1, #args - 1 do
        local src = args[k]
        local name = basename_of(string.gsub(src, "/+$", ""))
        if string.find(src, "^%a[%w+.%-]*://") then
            -- a download, not the application
        elseif src == "." or src == "./" or string.sub(src, -1) == "/"
            or string.find(src, "[%*%?%[]") then
            return true
        else
            if opt.manifests[name] then
                return true
            end
            local ext = string.match(name, "%.([%w]+)$")
            if ext and opt.exts[ext] then
                return true
            end
            if not string.find(name, ".", 1, true)
                and string.find(src, "/", 1, true) == nil and lower(name) == "src" then
                return true
            end
        end
    end
    return false
end

return {
    id = "CP011",
    control = 0,
    severity = "medium",
    title = "Build tools left in the final image",
    formats = { "dockerfile" },
    description = "A single-stage build leaves compilers, SDKs, headers and development " ..
        "dependencies in the image it ships. None of them is needed to run the program, " ..
        "all of them enlarge the image and its vulnerability count, and a compiler in " ..
        "production helps an intruder build tools on the spot. Images that ship no " ..
        "application (toolchain images) and development or test stages are not reported.",
    remediation = "Split the Dockerfile into a build stage (`FROM golang:1.22 AS build`) that " ..
        "compiles and a runtime stage on a slim or distroless base that only receives the " ..
        "artifacts (`COPY --from=build /out/app /app`); install production dependencies only " ..
        "(`npm ci --omit=dev`), and remove build packages in the same RUN that installed them.",
    references = {
        "https://docs.docker.com/build/building/multi-stage/",
        "https://docs.docker.com/build/building/best-practices/#use-multi-stage-builds",
    },
    options = {
        -- toolchain images: image (official name or registry/repository glob), tag words that
        -- mark a runtime-only variant, and what the image carries
        sdk_images = {
            { image = "golang", why = "the Go toolchain" },
            { image = "rust", why = "the Rust toolchain" },
            { image = "gcc", why = "the GCC compilers" },
            { image = "maven", why = "Maven and a JDK" },
            { image = "gradle", why = "Gradle and a JDK" },
            { image = "openjdk", except = { "jre" }, why = "a JDK" },
            { image = "eclipse-temurin", except = { "jre" }, why = "a JDK" },
            { image = "amazoncorretto", except = { "jre" }, why = "a JDK" },
            { image = "buildpack-deps", except = { "curl", "scm" }, why = "gcc, make and -dev packages" },
            { image = "node", except = { "slim", "alpine" }, why = "gcc, make and -dev packages" },
            { image = "python", except = { "slim", "alpine", "windowsservercore", "nanoserver" },
              why = "gcc, make and -dev packages" },
            { image = "ruby", except = { "slim", "alpine" }, why = "gcc, make and -dev packages" },
            { image = "mcr.microsoft.com/dotnet/sdk", why = "the .NET SDK" },
            { image = "mcr.microsoft.com/dotnet/core/sdk", why = "the .NET SDK" },
        },
        -- words in a stage name of the final chain that mark a development or test image
        dev_stage_words = { "dev", "devel", "development", "devcontainer", "debug", "test",
            "tests", "testing" },
        -- files that show an application is copied in (dependency manifests)
        manifests = { "package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml",
            "requirements.txt", "pyproject.toml", "Pipfile", "Pipfile.lock", "setup.py", "go.mod",
            "go.sum", "Cargo.toml", "Cargo.lock", "pom.xml", "build.gradle", "build.gradle.kts",
            "settings.gradle", "Gemfile", "Gemfile.lock", "composer.json", "mix.exs", "Makefile" },
        source_extensions = { "go", "rs", "c", "cc", "cpp", "h", "java", "kt", "scala", "js",
            "mjs", "cjs", "ts", "tsx", "jsx", "py", "rb", "php", "cs", "csproj", "sln", "fs",
            "fsproj", "ex", "exs", "swift", "jar", "war" },
    },
    check = function(c, report)
        local build = c.build
        if not build then
            return
        end
        local list, member, base = cpol.final_chain(build)
        local stages = build.stages
        local chain_stages = {}
        for n, i in ipairs(list) do
            chain_stages[n] = stages[i]
        end
        -- a development or test image (awesome-compose's "dev-envs") wants its toolchain
        for _, s in ipairs(chain_stages) do
            if dev_stage(s.name) then
                return
            end
        end
        -- One walk over the final chain's instructions (every read of a model field is a call
        -- into C): a stage outside the chain that the final image takes artifacts from (a
        -- multi-stage build: nothing to report), whether an application comes from the build
        -- context, and the RUN steps to look at.
        local opt = option_sets()
        local ships = false
        local runs = {}
        for _, s in ipairs(chain_stages) do
            for _, ins in ipairs(s.instructions or {}) do
                local cmd = ins.cmd
                if cmd == "COPY" or cmd == "ADD" then
                    local flags = ins.flags
                    local from = flags and flags.from
                    if from then
                        local _, j = cpol.stage(build, from)
                        if j and not member[j] then
                            return
                        end
                    elseif not ships then
                        ships = copies_application(ins, opt)
                    end
                elseif cmd == "RUN" then
                    runs[#runs + 1] = ins
                    local flags = ins.flags
                    local mounts = flags and flags.mount
                    if mounts then
                        for _, m in ipairs(mounts) do
                            local r = cpol.mount_from(m)
                            if r ~= nil then
                                local _, j = cpol.stage(build, r)
                                if j and not member[j] then
                                    return
                                end
                            end
                        end
                    end
                end
            end
        end
        if not ships then
            return -- no application from the context: a toolchain or base image by design
        end
        local why = toolchain_base(base)
        if why then
            report{ at = base, message = "single-stage build ships " .. why .. " of its base " ..
                "image " .. (base.ref or base.raw or "?") .. " in the final image" }
            return
        end
        local env_production
        local function is_production()
            if env_production == nil then
                env_production = false
                for _, e in ipairs(c.env or {}) do
                    if e.name == "NODE_ENV" and e.value == "production" then
                        env_production = true
                    end
                end
            end
            return env_production
        end
        for _, ins in ipairs(runs) do
            local text = table.concat(ins.args or {}, " ")
            -- most RUN steps name no package manager, npm, yarn or pip: nothing to split
            if mentions_tool(text) then
                local cmds = commands(text)
                local tools, ks = {}, {}
                for n, ws in ipairs(cmds) do
                    tools[n], ks[n] = tool(ws)
                end
                local pkgs = installed_build_packages(cmds, tools, ks)
                if #pkgs > 0 then
                    local shown = {}
                    for n = 1, math.min(#pkgs, 4) do
                        shown[n] = pkgs[n]
                    end
                    local more = #pkgs > 4 and (" and " .. (#pkgs - 4) .. " more") or ""
                    report{ at = ins, message = "single-stage build installs build packages " ..
                        table.concat(shown, ", ") .. more .. " and keeps them in the final image" }
                    return
                end
                local dev = dev_dependencies(cmds, tools, ks, is_production)
                if dev then
                    report{ at = ins, message = "single-stage build: " .. dev ..
                        " that stay in the final image" }
                    return
                end
            end
        end
    end,
}
