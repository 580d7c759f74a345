-- CP002: the final image sits on a full distribution or language image when a minimal variant
-- (slim, alpine, distroless, chainguard, scratch) would do. Only images on the `full_images` list
-- are reported: an unknown or private base says nothing about its size, so it is left alone.

-- "3.12-slim-bookworm" -> {"3", "12", "slim", "bookworm"}
local function words(s)
    local out = {}
    for w in string.gmatch(string.lower(s or ""), "[^%-_%.]+") do
        out[#out + 1] = w
    end
    return out
end

-- The rule's options are fixed for the life of an engine, so their lookup structures are built
-- once per options table (a rule runs on thousands of containers).
local indexed = {}

local function index_of(list, build)
    local ix = indexed[build]
    if not ix or ix.list ~= list then
        ix = { list = list, data = build(list) }
        indexed[build] = ix
    end
    return ix.data
end

local function marker_set(markers)
    local set = {}
    for _, m in ipairs(markers) do
        set[m] = true
    end
    return set
end

-- A minimal marker word, possibly followed by a version ("alpine3.19" -> "alpine3").
local function is_marker(w, set)
    if set[w] then
        return w
    end
    -- a marker followed by digits: try every split before a run of trailing digits
    local i = #w
    while i > 1 and string.find("0123456789", string.sub(w, i, i), 1, true) do
        i = i - 1
        if set[string.sub(w, 1, i)] then
            return string.sub(w, 1, i)
        end
    end
    return nil
end

-- "registry/repository" globs, each with the literal text before its first wildcard, so most
-- images are told apart without a glob call.
local function pattern_list(patterns)
    local out = {}
    for _, pat in ipairs(patterns) do
        cpol.glob(pat, "") -- a bad pattern raises here, as it would on every image
        local lit = string.match(pat, "^[^*?%[\\]*")
        out[#out + 1] = { pat = pat, lit = lit }
    end
    return out
end

local function minimal(image)
    if image.scratch then
        return "scratch"
    end
    local markers = index_of(cpol.option("minimal_words") or {}, marker_set)
    for _, w in ipairs(words(image.tag)) do
        local m = is_marker(w, markers)
        if m then
            return m
        end
    end
    -- names like "alpine", "ubi-minimal", "ubi9-micro"
    for _, w in ipairs(words(image.name)) do
        local m = is_marker(w, markers)
        if m then
            return m
        end
    end
    local full = (image.registry or "") .. "/" .. (image.repository or "")
    for _, p in ipairs(index_of(cpol.option("minimal_patterns") or {}, pattern_list)) do
        if string.sub(full, 1, #p.lit) == p.lit and cpol.glob(p.pat, full) then
            return p.pat
        end
    end
    return nil
end

-- The full_images entry that names this image: a bare word is a Docker official image (also
-- through a mirror path ending in "library/<name>"), a path with '/' is matched as
-- "registry/repository".
local function full_index(list)
    local bare, paths = {}, {}
    for _, e in ipairs(list) do
        if string.find(e, "/", 1, true) then
            paths[#paths + 1] = e
        else
            bare[e] = true
        end
    end
    return { bare = bare, paths = pattern_list(paths) }
end

local function full_entry(image)
    local repo = image.repository or ""
    local ix = index_of(cpol.option("full_images") or {}, full_index)
    local name = string.match(repo, "^library/([^/]*)$") or string.match(repo, "/library/([^/]*)$")
    if name and ix.bare[name] then
        return name
    end
    local full = (image.registry or "") .. "/" .. repo
    for _, p in ipairs(ix.paths) do
        if string.sub(full, 1, #p.lit) == p.lit and cpol.glob(p.pat, full) then
            return p.pat
        end
    end
    return nil
end

-- The verdict for an external image: the full_images entry naming it, or false (minimal, or
-- unknown). It depends only on the reference (every parser derives registry, repository, name
-- and tag from it the same way; `scratch` is marked by Dockerfiles only) and the options, so it
-- is kept per reference: a repository names the same few images in hundreds of places.
local verdicts = { n = 0, by_ref = {} }
local MAX_VERDICTS = 10000

local function verdict(base)
    local mw, mp, fi = cpol.option("minimal_words"), cpol.option("minimal_patterns"),
        cpol.option("full_images")
    if verdicts.mw ~= mw or verdicts.mp ~= mp or verdicts.fi ~= fi then
        verdicts = { mw = mw, mp = mp, fi = fi, by_ref = {}, n = 0 }
    end
    local key = type(base.ref) == "string" and (base.scratch and base.ref .. "\0scratch" or base.ref)
    local v = key and verdicts.by_ref[key]
    if v == nil then
        v = (not minimal(base) and full_entry(base)) or false
        if key and verdicts.n < MAX_VERDICTS then
            verdicts.by_ref[key] = v
            verdicts.n = verdicts.n + 1
        end
    end
    return v
end

return {
    id = "CP002",
    control = 2,
    severity = "medium",
    title = "Base image is not minimal",
    formats = { "dockerfile", "compose", "k8s", "docker-run" },
    description = "Full distribution and language images carry shells, package managers, " ..
        "compilers and hundreds of packages the application never uses; each one is attack " ..
        "surface and a source of vulnerability reports. Slim, Alpine, distroless or scratch " ..
        "bases ship only what the program needs.",
    remediation = "Base the final stage on a minimal variant: a `-slim` or `-alpine` tag " ..
        "(node:20-slim), a distroless or Chainguard image, or scratch for static binaries; " ..
        "keep the full image in an earlier build stage if the build needs it.",
    references = {
        "https://docs.docker.com/build/building/best-practices/#from",
        "https://github.com/GoogleContainerTools/distroless",
    },
    options = {
        -- words in a tag or image name that mark a minimal variant ("20-slim", "alpine3.19")
        minimal_words = { "slim", "alpine", "distroless", "chiseled", "minimal", "micro",
            "busybox", "nanoserver", "scratch" },
        -- "registry/repository" globs of minimal images
        minimal_patterns = { "gcr.io/distroless/*", "gcr.io/distroless/**", "cgr.dev/chainguard/*",
            "cgr.dev/chainguard/**", "mcr.microsoft.com/windows/nanoserver" },
        -- full images: a bare word is a Docker official image, a path is "registry/repository"
        full_images = { "ubuntu", "debian", "centos", "fedora", "rockylinux", "almalinux",
            "oraclelinux", "amazonlinux", "archlinux", "opensuse", "buildpack-deps", "node",
            "python", "golang", "openjdk", "eclipse-temurin", "amazoncorretto", "ruby", "php",
            "perl", "rust", "gcc", "maven", "gradle", "elixir", "erlang", "haskell", "swift",
            "julia", "r-base", "mono",
            "registry.access.redhat.com/ubi*/ubi", "registry.access.redhat.com/ubi",
            "mcr.microsoft.com/dotnet/sdk", "mcr.microsoft.com/windows/servercore",
            "mcr.microsoft.com/windows" },
    },
    check = function(c, report)
        local img = c.image
        if not img or img.unresolved or img.interpolated then
            return
        end
        local base = cpol.base_image(c.build, img)
        if not base or base.unresolved then
            return
        end
        local entry = verdict(base)
        if not entry then
            return -- unknown or private image: no guess about its contents
        end
        local shown = base.ref or base.raw or base.repository
        local via = ""
        if img.stage then
            via = " (inherited through FROM " .. img.stage .. ")"
        end
        -- point at the reference as written, also when the final stage inherits it
        if c.kind ~= "dockerfile" then
            report{ at = base, message = "runs the full image " .. shown ..
                "; use a slim, alpine, distroless or scratch variant" }
            return
        end
        report{ at = base, message = "final image is based on the full image " .. shown .. via ..
            "; use a slim, alpine, distroless or scratch variant" }
    end,
}
