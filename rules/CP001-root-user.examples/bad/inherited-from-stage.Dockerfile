# The final stage has no USER of its own; it inherits USER root from stage "base",
# so the finding points at that USER line.
# expect: CP001 6
FROM ubuntu:24.04 AS base
RUN useradd -r app
USER root

FROM base
COPY run.sh /run.sh
CMD ["/run.sh"]
