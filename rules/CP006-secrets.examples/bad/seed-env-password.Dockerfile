# The seed's example: the password is stored in the image configuration.
# expect: CP006 4
FROM node:20-slim
ENV DATABASE_PASSWORD=supersecret123
CMD ["node", "server.js"]
