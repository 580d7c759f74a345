# The seed's example: deleting the file later does not remove it from the COPY layer.
# expect: CP006 4
FROM node:20-slim
COPY .env /app/.env
RUN rm /app/.env
CMD ["node", "/app/server.js"]
