# The Go toolchain is shipped along with the binary it built.
# expect: CP011 3
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .
CMD ["app"]
