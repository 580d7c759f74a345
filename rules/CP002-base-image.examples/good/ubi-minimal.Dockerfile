FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4
CMD ["/bin/sh"]
