# An image whose product is the toolchain (no application copied in) is not a single-stage app build.
FROM buildpack-deps:bookworm-scm
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/local/go/bin:$PATH
COPY go-wrapper /usr/local/bin/
