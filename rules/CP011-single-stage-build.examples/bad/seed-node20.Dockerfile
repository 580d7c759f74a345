# The seed's example: the full node image carries gcc and make.
# expect: CP011 3
FROM node:20
COPY . /app
CMD ["node", "/app/server.js"]
