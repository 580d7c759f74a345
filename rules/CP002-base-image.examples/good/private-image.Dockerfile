# Unknown and private images are not judged: nothing is known about their contents.
FROM registry.example.com/team/node:20
CMD ["node"]
