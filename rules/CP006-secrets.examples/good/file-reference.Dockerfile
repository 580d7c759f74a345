# *_FILE names point at where a secret is mounted at run time.
FROM postgres:16
ENV POSTGRES_PASSWORD_FILE=/run/secrets/db_password
