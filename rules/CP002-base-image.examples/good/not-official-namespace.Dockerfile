# "bitnami/python" is not the official python image: no guess.
FROM bitnami/python:3.12
CMD ["python"]
