# The seed's bad example: no USER, so node runs as uid 0.
# expect: CP001 3
FROM node:20
COPY . /app
CMD ["node", "/app/server.js"]
