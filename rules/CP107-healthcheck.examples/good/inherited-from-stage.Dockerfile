# The final stage is built FROM a stage that declares the check.
FROM python:3.12-slim AS base
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"

FROM base
CMD ["python", "-m", "http.server"]
