-- CP105: a FROM (or COPY --from image) with `:latest` or no tag at all follows whatever the
-- registry publishes next, so two builds of the same Dockerfile can ship different systems. A digest
-- pins the content, so a digest-pinned reference is fine whatever its tag. Checked for the images
-- the final stage depends on, like CP010. A reference that does not parse (the parser then gives
-- only `ref`) is left alone: `name:1.0@sha256:123` has a tag, and claiming "no tag" would be false.

-- tag, digest and the reference as shown, for an entry of cpol.build_images; nothing for scratch,
-- unresolved variables and references that do not parse (no tag to judge).
local function mutable(e)
    local img = e.image
    if e.kind == "from" then
        if img.scratch or img.unresolved or not img.repository then
            return nil
        end
        return img.tag, img.digest, img.ref or img.raw or "?"
    end
    local parsed = cpol.image(img)
    if not parsed then
        return nil
    end
    return parsed.tag, parsed.digest, img
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
        if c.kind ~= "dockerfile" then
            local img = c.image
            if not img or img.digest or img.unresolved or img.interpolated or not img.ref then
                return
            end
            if not img.repository then
                return -- not a valid reference (e.g. a malformed digest): its tag is unknown
            end
            if img.tag == nil then
                report{ at = img, message = "image " .. img.ref .. " has no tag (implicitly latest)" }
            elseif img.tag == "latest" then
                report{ at = img, message = "image " .. img.ref .. " uses the mutable tag latest" }
            end
            return
        end
        if not c.build then
            return
        end
        for _, e in ipairs(cpol.build_images(c.build)) do
            local tag, digest, shown = mutable(e)
            if shown and not digest and (tag == nil or tag == "latest") then
                local what = tag and "the mutable tag latest" or "no tag (implicitly latest)"
                if e.kind == "from" then
                    report{ at = e.image, message = "base image " .. shown .. " uses " .. what }
                else
                    local how = e.at.cmd == "RUN" and "RUN --mount from=" or (e.at.cmd .. " --from=")
                    report{ at = e.at, message = how .. shown .. " uses " .. what }
                end
            end
        end
    end,
}
