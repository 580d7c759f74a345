# npm ci without --omit=dev installs devDependencies into the shipped image.
# expect: CP011 6
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
CMD ["node", "server.js"]
