# The base comes from a build argument without a default: unknown.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
CMD ["/app"]
