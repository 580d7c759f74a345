FROM cgr.dev/chainguard/python:latest
COPY app.py /app/app.py
ENTRYPOINT ["python", "/app/app.py"]
