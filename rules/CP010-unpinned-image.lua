-- CP010: images a build pulls should be pinned by digest, so the bytes that were reviewed are the
-- bytes that get built. Checked for every external image the final stage depends on: the FROM of
-- each stage it is built from or copies from (an unpinned builder changes the shipped binary as
-- much as an unpinned runtime base) and images named by COPY --from / RUN --mount from=.

-- The message for a reference that no digest pins: an unparsable reference (the parser then gives
-- only `ref`, no repository) says why.
local function unpinned(ref, repository)
    if repository then
        return "image " .. ref .. " is not pinned by digest"
    elseif string.find(ref, "@", 1, true) then
        return "image " .. ref .. " has a malformed digest (sha256: and 64 hex digits), " ..
            "so it is not pinned"
    end
    return "image " .. ref .. " is not a valid image reference, so no digest pins it"
end

-- Verdicts kept per reference. Each parser derives digest and repository (and compose its
-- `interpolated` mark) from the reference text alone, with the same function, so within one
-- kind of container the verdict is a function of the reference; a repository names the same
-- few images in hundreds of places. At most 10,000 references are kept per table (cpol.memo).
local compose_refs, k8s_refs = cpol.memo(), cpol.memo()
local MEMO_BY_KIND = { ["compose-service"] = compose_refs, ["k8s-container"] = k8s_refs,
    ["k8s-init-container"] = k8s_refs, ["k8s-ephemeral-container"] = k8s_refs }
local from_refs, copy_refs = cpol.memo(), cpol.memo()

-- The message for a container's image, or false when it is pinned or cannot be judged.
local function image_verdict(img, ref)
    if img.digest or img.unresolved or img.interpolated or not ref then
        return false
    end
    return unpinned(ref, img.repository)
end

-- The message for a Dockerfile FROM image, or false. An unresolved ARG makes the same text mean
-- different things, so only resolved references are kept; scratch, digest and repository then
-- follow from the text.
local function from_message(img, shown)
    return not (img.scratch or img.digest) and "base " .. unpinned(shown, img.repository)
end

local function from_verdict(img)
    if img.unresolved then
        return false
    end
    local ref = img.ref
    if ref == nil then
        return from_message(img, img.raw or "?")
    end
    return from_refs.find(ref, from_message, img, ref)
end

-- Whether the image a COPY --from / RUN --mount from= names parses and has no digest.
local function parses_without_digest(ref)
    local parsed = cpol.image(ref)
    return parsed and not parsed.digest and true or false
end

local function copy_unpinned(ref)
    return copy_refs.find(ref, parses_without_digest, ref)
end

-- CI workflows: every image a workflow pushes should be signed by a job of the same workflow file
-- (cosign sign, notation sign). Installing cosign (sigstore/cosign-installer) is not signing.
local function check_pipelines(project, report)
    for _, p in ipairs(project.pipelines or {}) do
        local signed = false
        for _, job in ipairs(p.jobs or {}) do
            if job.signs and #job.signs > 0 then
                signed = true
                break
            end
        end
        for _, job in ipairs(p.jobs or {}) do
            if not signed and job.pushes_image == true then
                local refs = {}
                for _, im in ipairs(job.images or {}) do
                    if im.pushed == true then
                        refs[#refs + 1] = im.ref
                    end
                end
                local what = "an image"
                if #refs > 0 then
                    what = table.concat(refs, ", ", 1, math.min(#refs, 3)) ..
                        (#refs > 3 and ", ..." or "")
                end
                report{ at = job, field = "pushes_image", object = "job " .. tostring(job.name),
                    message = "job " .. tostring(job.name) .. " pushes " .. what ..
                        " but no job of this workflow signs it (cosign sign, notation sign)" }
            end
        end
    end
end

return {
    id = "CP010",
    control = 10,
    severity = "low",
    title = "Image not pinned by digest or not signed",
    formats = { "dockerfile", "compose", "k8s", "docker-run", "github", "gitlab" },
    description = "A tag is a movable pointer: the registry can serve different content for " ..
        "node:20 tomorrow, whether through an update, a compromised account or a mirror. " ..
        "Pinning by digest makes every build use exactly the image that was reviewed and lets " ..
        "signature checks refer to fixed content. Every external image the final stage is " ..
        "built from or copies from is checked; stages the final image does not use are not. " ..
        "In CI workflows, an image that is pushed but signed by no job of the workflow cannot " ..
        "be told apart from a tampered one at deploy time.",
    remediation = "Pin the reference by digest, keeping the tag for readers: " ..
        "`FROM node:20-slim@sha256:<digest>` or `image: node:20-slim@sha256:<digest>` (get the " ..
        "digest with `docker buildx imagetools inspect node:20-slim`), and let a bot such as " ..
        "Renovate or Dependabot update it. In CI, sign every image the workflow pushes " ..
        "(`cosign sign --yes IMAGE@DIGEST` or `notation sign`) and verify the signature before " ..
        "deploying.",
    references = {
        "https://docs.docker.com/reference/dockerfile/#from",
        "https://docs.docker.com/build/building/best-practices/#pin-base-image-versions",
    },
    check_project = check_pipelines,
    check = function(c, report)
        local kind = c.kind
        if kind ~= "dockerfile" then
            -- compose `image:` and Kubernetes `image:`; a service's linked Dockerfile is
            -- checked where the Dockerfile itself is scanned
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
            local img = e.image
            if e.kind == "from" then
                local msg = from_verdict(img)
                if msg then
                    report{ at = img, message = msg }
                end
            elseif copy_unpinned(img) then
                local cmd = e.at.cmd
                local how = cmd == "RUN" and "RUN --mount from=" or (cmd .. " --from=")
                report{ at = e.at, message = how .. img .. " pulls an image that is " ..
                    "not pinned by digest" }
            end
        end
    end,
}
