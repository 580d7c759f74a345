# The image comes from an ARG default.
# expect: CP010 4
ARG BASE=alpine:3.20
FROM ${BASE}
CMD ["sh"]
