# expect: CP002 2
FROM python:3.12
COPY app.py /app/app.py
CMD ["python", "/app/app.py"]
