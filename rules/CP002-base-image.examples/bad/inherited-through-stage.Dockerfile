# FROM <stage> follows the chain to the external image; the finding points where it is written.
# expect: CP002 4
ARG GO_VERSION=1.22
FROM golang:${GO_VERSION} AS build
WORKDIR /src
RUN go build -o /out/app .

FROM build
CMD ["/out/app"]
