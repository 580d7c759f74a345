# The runtime base is pinned but the builder is not: it still decides what gets shipped.
# expect: CP010 3
FROM golang:1.22 AS build
RUN CGO_ENABLED=0 go build -o /out/app .

FROM gcr.io/distroless/static-debian12@sha256:4f6b6a3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a
COPY --from=build /out/app /app
