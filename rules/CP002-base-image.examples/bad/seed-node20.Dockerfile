# The seed's example: node:20 is the full image (compilers, package manager, shells).
# expect: CP002 3
FROM node:20
COPY . /app
CMD ["node", "/app/server.js"]
