# Two FROM lines but no multi-stage build: the final stage is built on the builder itself.
# expect: CP011 3
FROM rust:1.79 AS build
WORKDIR /src
COPY . .
RUN cargo build --release

FROM build
CMD ["/src/target/release/app"]
