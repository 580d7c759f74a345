# The check belongs to a stage the final image does not build on.
# expect: CP107 7
FROM node:20 AS build
HEALTHCHECK CMD ["node", "-e", "process.exit(0)"]
RUN npm ci

FROM node:20-slim
COPY --from=build /app /app
CMD ["node", "/app/server.js"]
