FROM gcr.io/distroless/static-debian12:nonroot
COPY app /app
HEALTHCHECK --interval=10s --start-period=5s CMD ["/app", "healthcheck"]
ENTRYPOINT ["/app"]
