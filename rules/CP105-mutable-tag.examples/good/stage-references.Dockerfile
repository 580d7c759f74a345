# --from=0 and --mount from=<stage> name stages, not images.
FROM golang:1.22 AS deps
RUN go mod download

FROM golang:1.22 AS build
RUN --mount=type=cache,from=deps,source=/go/pkg,target=/go/pkg go build -o /out/app .

FROM alpine:3.20
COPY --from=1 /out/app /app
