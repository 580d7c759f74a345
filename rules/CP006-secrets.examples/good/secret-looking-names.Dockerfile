# Names that mention secrets but hold settings, not secrets.
FROM python:3.12-slim
ENV PASSWORD_HASH_ROUNDS=12
ENV TOKEN_TTL_SECONDS=3600
ENV ENABLE_TOKEN_AUTH=true
ENV SECRET_KEY_LENGTH=64
COPY .env.example /app/.env.example
COPY --from=alpine:3.20 /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
