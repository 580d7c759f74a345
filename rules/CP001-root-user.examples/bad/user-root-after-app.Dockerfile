# Switching back to root at the end undoes the earlier USER.
# expect: CP001 7
FROM debian:bookworm-slim
RUN useradd -r -u 10001 app
USER app
RUN echo built
USER root
CMD ["/bin/true"]
