# USER takes its value from an ARG default that resolves to root.
# expect: CP001 5
FROM alpine:3.20
ARG RUNAS=root
USER ${RUNAS}
CMD ["id"]
