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

-- A minimal marker word, possibly followed by a version ("alpine3.19" -> "alpine3").
local function is_marker(w, markers)
    for _, m in ipairs(markers) do
        if w == m or (string.sub(w, 1, #m) == m and string.match(string.sub(w, #m + 1), "^%d+$")) then
            return m
        end
    end
    return nil
end

local function minimal(image)
    if image.scratch then
        return "scratch"
    end
    local markers = cpol.option("minimal_words") or {}
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
    for _, pat in ipairs(cpol.option("minimal_patterns") or {}) do
        if cpol.glob(pat, full) then
            return pat
        end
    end
    return nil
end

-- The full_images entry that names this image: a bare word is a Docker official image (also
-- through a mirror path ending in "library/<name>"), a path with '/' is matched as
-- "registry/repository".
local function full_entry(image)
    local repo = image.repository or ""
    local full = (image.registry or "") .. "/" .. repo
    for _, e in ipairs(cpol.option("full_images") or {}) do
        if string.find(e, "/", 1, true) then
            if cpol.glob(e, full) then
                return e
            end
        elseif repo == "library/" .. e or string.sub(repo, -(#e + 9)) == "/library/" .. e then
            return e
        end
    end
    return nil
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
        if not base or base.unresolved or minimal(base) then
            return
        end
        local entry = full_entry(base)
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
