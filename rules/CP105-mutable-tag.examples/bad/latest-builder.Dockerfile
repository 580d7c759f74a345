# The builder floats on latest even though the runtime has a version.
# expect: CP105 3
FROM golang:latest AS build
RUN go build -o /out/app .

FROM alpine:3.20
COPY --from=build /out/app /app
