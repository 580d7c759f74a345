-- CP105: a FROM (or COPY --from image) with `:latest` or no tag at all follows whatever the
-- registry publishes next, so two builds of the same Dockerfile can ship different systems. A digest
-- pins the content, so a digest-pinned reference is fine whatever its tag. Checked for the images
-- the final stage depends on, like CP010. A reference that does not parse (the parser then gives
-- only `ref`) is left alone: `name:1.0@sha256:123` has a tag, and claiming "no tag" would be false.

-- What is said of an image, or false when its tag is fine (or a digest pins it, or the
-- reference cannot be judged), kept per reference: each parser derives tag, digest and
-- repository (compose also its interpolated mark) from the reference text alone with the same
-- function, so within one kind of container the verdict is a function of the reference, and a
-- repository names the same few images in hundreds of places. Dockerfile FROM images are kept
-- only when no ARG is unresolved. At most 10,000 references per table (cpol.memo).
local compose_refs, k8s_refs = cpol.memo(), cpol.memo()
local MEMO_BY_KIND = { ["compose-service"] = compose_refs, ["k8s-container"] = k8s_refs,
    ["k8s-init-container"] = k8s_refs, ["k8s-ephemeral-container"] = k8s_refs }
local from_refs, copy_refs = cpol.memo(), cpol.memo()

-- The message for a container's image.
local function image_verdict(img, ref)
    if img.digest or img.unresolved or img.interpolated or not ref then
        return false
    end
    if not img.repository then
        return false -- not a valid reference (e.g. a malformed digest): its tag is unknown
    end
    local tag = img.tag
    if tag == nil then
        return "image " .. ref .. " has no tag (implicitly latest)"
    elseif tag == "latest" then
        return "image " .. ref .. " uses the mutable tag latest"
    end
    return false
end

-- What a mutable tag is: "the mutable tag latest", "no tag (implicitly latest)", or false.
local function what(tag, digest)
    if digest or not (tag == nil or tag == "latest") then
        return false
    end
    return tag and "the mutable tag latest" or "no tag (implicitly latest)"
end

-- The message for a FROM image of cpol.build_images; false for scratch, unresolved variables
-- and references that do not parse (no tag to judge).
local function from_message(img, ref)
    if img.scratch or not img.repository then
        return false
    end
    local w = what(img.tag, img.digest)
    return w and "base image " .. (ref or img.raw or "?") .. " uses " .. w
end

local function from_verdict(img)
    if img.unresolved then
        return false
    end
    local ref = img.ref
    if ref == nil then
        return from_message(img, nil)
    end
    return from_refs.find(ref, from_message, img, ref)
end

-- The mutable tag of a COPY --from / RUN --mount from= image, or false.
local function tag_of_copy(ref)
    local parsed = cpol.image(ref)
    return parsed and what(parsed.tag, parsed.digest) or false
end

local function copy_verdict(ref)
    return copy_refs.find(ref, tag_of_copy, ref)
end

return {
    id = "CP105",
    control = 0,
    severity = "medium",
    title = "Image uses a mutable latest tag",
    formats = { "dockerfile", "compose", "k8s", "docker-run" },
    description = "Without a tag, or with `latest`, a build takes whatever the image's " ..
        "newest release is: a major version jump, a different distribution release or a " ..
        "broken push arrives silently and the same Dockerfile stops being reproducible. " ..
        "Checked for every image the final stage is built from or copies from.",
    remediation = "Name an explicit version tag (`FROM python:3.12-slim`, not `FROM python` or " ..
        "`python:latest`), ideally together with a digest (`python:3.12-slim@sha256:<digest>`).",
    references = {
        "https://docs.docker.com/reference/dockerfile/#from",
        "https://docs.docker.com/build/building/best-practices/#from",
    },
    check = function(c, report)
        local kind = c.kind
        if kind ~= "dockerfile" then
            local img = c.image
            if not img then
                return
            end
            local memo = MEMO_BY_KIND[kind]
            local msg
            if memo then
                if img.ref == nil then
                    return
                end
                msg = memo.find(img.ref, image_verdict, img, img.ref)
            else
                msg = image_verdict(img, img.ref)
            end
            if msg then
                report{ at = img, message = msg }
            end
            return
        end
        local build = c.build
        if not build then
            return
        end
        for _, e in ipairs(cpol.build_images(build)) do
            if e.kind == "from" then
                local msg = from_verdict(e.image)
                if msg then
                    report{ at = e.image, message = msg }
                end
            else
                local w = copy_verdict(e.image)
                if w then
                    local cmd = e.at.cmd
                    local how = cmd == "RUN" and "RUN --mount from=" or (cmd .. " --from=")
                    report{ at = e.at, message = how .. e.image .. " uses " .. w }
                end
            end
        end
    end,
}
