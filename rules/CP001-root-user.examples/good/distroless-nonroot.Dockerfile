# distroless ":nonroot" images run as uid 65532 by default.
FROM golang:1.22 AS build
RUN CGO_ENABLED=0 go build -o /out/app ./...

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
