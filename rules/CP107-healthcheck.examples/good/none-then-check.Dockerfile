# The last HEALTHCHECK wins.
FROM alpine:3.20
HEALTHCHECK NONE
HEALTHCHECK CMD pgrep app || exit 1
CMD ["/app"]
