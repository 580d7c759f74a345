# HEALTHCHECK NONE turns off any check the base image defines.
# expect: CP107 4
FROM nginx:1.27-alpine
HEALTHCHECK NONE
