# FROM <stage> is not an image, but the stage's own base is.
# expect: CP010 3
FROM debian:bookworm-slim AS base
RUN apt-get update

FROM base
CMD ["bash"]
