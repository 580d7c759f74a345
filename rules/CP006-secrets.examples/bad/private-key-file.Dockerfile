# expect: CP006 4
FROM alpine:3.20
RUN apk add --no-cache openssh-client git
COPY id_rsa /root/.ssh/id_rsa
RUN git clone git@example.com:team/app.git
