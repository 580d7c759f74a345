# The secret is set in stage "base"; the final stage is built FROM it and keeps the ENV.
# expect: CP006 4
FROM python:3.12-slim AS base
ENV DJANGO_SECRET_KEY=k3J9x0Pq7Lm2Zr8Tn5Wb4Yc6Vd1Hf0Ga
FROM base
CMD ["gunicorn", "app.wsgi"]
