# No tag means latest, the full Debian image.
# expect: CP002 3
FROM debian
CMD ["bash"]
