# Numeric uid 0 with group 0 is root as well.
# expect: CP001 5
FROM alpine:3.20
RUN adduser -D app
USER 0:0
ENTRYPOINT ["/bin/sh"]
