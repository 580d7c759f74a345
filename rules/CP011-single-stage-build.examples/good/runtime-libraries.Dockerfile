# libpq5 is the runtime library, not the -dev headers; npm -g installs one tool, not devDependencies.
FROM node:20-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \
 && rm -rf /var/lib/apt/lists/*
RUN npm install -g pm2
COPY server.js /app/server.js
CMD ["pm2-runtime", "/app/server.js"]
