# Setting the variable again does not take the first value out of the image history.
# expect: CP006 4
FROM python:3.12-slim
ENV DB_PASSWORD=hunter2-but-longer
RUN ./migrate.sh
ENV DB_PASSWORD=
