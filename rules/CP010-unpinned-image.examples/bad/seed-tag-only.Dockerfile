# A tag alone can be moved to other content.
# expect: CP010 3
FROM node:20-slim
CMD ["node"]
