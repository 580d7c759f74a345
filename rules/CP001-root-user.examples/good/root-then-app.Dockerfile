# Root for installing, then a non-root user for running: only the effective user counts.
FROM debian:bookworm-slim
USER root
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
RUN useradd -r app
USER app
CMD ["/bin/true"]
