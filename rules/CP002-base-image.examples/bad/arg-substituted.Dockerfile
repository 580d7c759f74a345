# The tag comes from an ARG default: node:20 after substitution.
# expect: CP002 4
ARG NODE_VERSION=20
FROM node:${NODE_VERSION}
CMD ["node"]
