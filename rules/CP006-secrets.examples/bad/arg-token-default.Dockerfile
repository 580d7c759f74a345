# A literal token as an ARG default, in a build stage: it is in the Dockerfile and in that
# stage's history even though the final image does not carry the stage.
# expect: CP006 5
FROM node:20 AS build
ARG NPM_TOKEN=npm_Zq8rT3vXk2LmN9pQw4sYb7cHd1fGj6eAu5Vo
RUN npm ci

FROM node:20-slim
COPY --from=build /app /app
