# expect: CP010 3
# a digest must be sha256: with 64 hex digits
FROM nginx:1.27@sha256:123456
USER 101
