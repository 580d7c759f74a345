# The same literal declared again in the next stage is reported once, where it first appears.
# expect: CP006 4
FROM golang:1.22 AS build
ARG GITHUB_TOKEN=ghp_R8x2Lq7Zt4Vn1Kc9Pw3Jy6Hb0Md5Sf2Ga8Ue
RUN git config --global url."https://${GITHUB_TOKEN}@github.com/".insteadOf "https://github.com/"

FROM build AS test
ARG GITHUB_TOKEN=ghp_R8x2Lq7Zt4Vn1Kc9Pw3Jy6Hb0Md5Sf2Ga8Ue
RUN go test ./...
