# expect: CP001 2
FROM alpine:3.20
RUN echo hello
