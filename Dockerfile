# cpol in a container: built in one stage, run from a small one as a non-root user with nothing
# to write, so it works with `docker run --read-only`. Scan the current folder with:
#   docker run --rm --read-only -v "$PWD:/src:ro" cpol scan .
# The base is pinned by digest (cpol's CP010); let Renovate or Dependabot keep it current.

FROM alpine:3.24.1@sha256:28bd5fe8b56d1bd048e5babf5b10710ebe0bae67db86916198a6eec434943f8b AS build
RUN apk add --no-cache build-base cmake pkgconf lua5.4-dev jansson-dev yaml-dev
WORKDIR /build
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY scripts/ scripts/
COPY include/ include/
COPY libcontainerpolicy/ libcontainerpolicy/
COPY rules/ rules/
COPY cli/ cli/
RUN cmake -S . -B out -DCMAKE_BUILD_TYPE=Release -DCPOL_BUILD_TESTS=OFF \
        -DCPOL_BUILD_BENCHMARKS=OFF \
    && cmake --build out -j"$(nproc)" --target cpol \
    && strip out/cpol

# A finding about what the final stage lacks points at its FROM, so its suppression goes here.
# cpol:ignore=CP107 a one-shot CLI exits after each scan; there is no service to probe
FROM alpine:3.24.1@sha256:28bd5fe8b56d1bd048e5babf5b10710ebe0bae67db86916198a6eec434943f8b
RUN apk add --no-cache lua5.4-libs jansson yaml
COPY --from=build /build/out/cpol /usr/local/bin/cpol
# an unprivileged uid/gid that exists nowhere else, so files it could touch are not its own
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/cpol"]
CMD ["--help"]
