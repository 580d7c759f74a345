# Names that merely start with "root" are other accounts.
FROM alpine:3.20
RUN adduser -D rootless
USER rootless
CMD ["id"]
