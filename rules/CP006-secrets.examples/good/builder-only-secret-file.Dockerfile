# .npmrc is copied into the build stage only; the final image receives the built files.
FROM node:20 AS build
WORKDIR /app
COPY .npmrc package.json ./
RUN npm ci && rm .npmrc

FROM node:20-slim
COPY --from=build /app/node_modules /app/node_modules
