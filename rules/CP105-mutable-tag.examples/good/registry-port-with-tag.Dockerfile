FROM registry.example.com:5000/team/app:1.4.2
CMD ["/app"]
