# COPY --from an external image pulls that image too.
# expect: CP010 4
FROM php:8.3-fpm-alpine@sha256:4f6b6a3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a
COPY --from=composer:2 /usr/bin/composer /usr/bin/composer
