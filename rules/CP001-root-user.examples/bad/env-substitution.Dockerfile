# ENV substitution: APP_UID is 0.
# expect: CP001 5
FROM alpine:3.20
ENV APP_UID=0
USER $APP_UID
CMD ["id"]
