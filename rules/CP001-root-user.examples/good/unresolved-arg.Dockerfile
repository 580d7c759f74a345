# The user comes from a build argument without a default: unknown, so no guess.
FROM alpine:3.20
ARG RUNAS
USER ${RUNAS}
CMD ["id"]
