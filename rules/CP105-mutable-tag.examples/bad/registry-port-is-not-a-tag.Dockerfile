# "5000" is the registry's port; the image itself has no tag.
# expect: CP105 3
FROM localhost:5000/tools
CMD ["sh"]
