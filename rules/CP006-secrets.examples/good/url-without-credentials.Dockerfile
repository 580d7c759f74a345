FROM python:3.12-slim
ENV DATABASE_URL=postgres://db:5432/app
ADD https://example.com/releases/app-1.0.tar.gz /tmp/
