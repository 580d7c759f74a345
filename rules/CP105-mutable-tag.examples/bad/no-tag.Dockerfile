# expect: CP105 2
FROM ubuntu
CMD ["bash"]
