# Only the final stage counts: the builder is minimal, the runtime is not.
# expect: CP002 7
FROM golang:1.22-alpine AS build
WORKDIR /src
RUN go build -o /out/app .

FROM ubuntu:22.04
COPY --from=build /out/app /usr/local/bin/app
CMD ["app"]
