# Stage "base" has a check, the final stage switches it off.
# expect: CP107 7
FROM alpine:3.20 AS base
HEALTHCHECK CMD wget -q -O /dev/null http://localhost:8080/health || exit 1

FROM base
HEALTHCHECK NONE
CMD ["/app"]
