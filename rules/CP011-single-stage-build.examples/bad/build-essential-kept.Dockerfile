# expect: CP011 3
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libssl-dev \
 && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN make -C /src
CMD ["/src/app"]
