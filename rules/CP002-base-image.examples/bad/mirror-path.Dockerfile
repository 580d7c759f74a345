# An official image through a registry mirror is still the full image.
# expect: CP002 3
FROM public.ecr.aws/docker/library/python:3.12-bookworm
CMD ["python3"]
