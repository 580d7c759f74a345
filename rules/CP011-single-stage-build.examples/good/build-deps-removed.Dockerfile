# Build packages installed and removed in the same RUN do not stay in any layer.
FROM python:3.12-alpine
WORKDIR /app
COPY requirements.txt .
RUN apk add --no-cache --virtual .build-deps gcc musl-dev \
 && pip install --no-cache-dir -r requirements.txt \
 && apk del .build-deps
COPY . .
CMD ["python", "app.py"]
