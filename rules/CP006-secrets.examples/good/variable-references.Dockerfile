# Values that come from build arguments or the environment are not literals.
FROM node:20-slim
ARG NPM_TOKEN
ENV API_KEY=${API_KEY}
ENV DB_PASSWORD=$DB_PASSWORD
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc
