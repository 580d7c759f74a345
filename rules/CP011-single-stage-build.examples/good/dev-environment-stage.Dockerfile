# A development image keeps its toolchain on purpose: the final chain has a stage named
# "development" / "dev-envs".
FROM node:20-slim AS development
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
CMD ["npm", "run", "dev"]

FROM development AS dev-envs
RUN apt-get update && apt-get install -y --no-install-recommends git
CMD ["npm", "run", "dev"]
