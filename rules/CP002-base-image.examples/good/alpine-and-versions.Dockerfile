# alpine with a version glued on ("alpine3.20") is still alpine.
FROM python:3.12-alpine3.20
CMD ["python3"]
