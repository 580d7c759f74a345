# The builder runs as an unprivileged user, but the final stage starts from a fresh image
# without USER, so it runs as root.
# expect: CP001 9
FROM golang:1.22 AS build
RUN useradd -m builder
USER builder
RUN go version

FROM alpine:3.20
COPY --from=build /go/bin/ /usr/local/bin/
CMD ["app"]
