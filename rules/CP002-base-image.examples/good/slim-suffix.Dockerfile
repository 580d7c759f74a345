FROM debian:bookworm-slim AS base
RUN apt-get update

FROM base
CMD ["bash"]
