# Chosen at build time: nothing to judge.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
CMD ["/app"]
