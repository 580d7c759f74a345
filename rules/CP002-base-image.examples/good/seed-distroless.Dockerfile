FROM gcr.io/distroless/nodejs20-debian12
COPY server.js /app/server.js
CMD ["/app/server.js"]
