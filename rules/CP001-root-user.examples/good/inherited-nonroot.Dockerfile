# The final stage inherits USER app from stage "base".
FROM debian:bookworm-slim AS base
RUN useradd -r app
USER app

FROM base
CMD ["/bin/true"]
