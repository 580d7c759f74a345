# expect: CP105 2
FROM node:latest
CMD ["node"]
