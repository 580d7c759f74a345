# Credentials written into a download URL.
# expect: CP006 4
FROM alpine:3.20
ADD https://deploy:Xk29fQpL7rTz@artifacts.example.com/app.tar.gz /tmp/app.tar.gz
