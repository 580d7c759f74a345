# expect: CP105 3
ARG BASE=python
FROM $BASE
CMD ["python3"]
