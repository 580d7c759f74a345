# expect: CP105 3
FROM php:8.3-fpm-alpine
COPY --from=composer /usr/bin/composer /usr/bin/composer
