# the reference does not parse (placeholder digest): CP010 reports it, CP105 cannot know the tag
FROM nginx:1.27@sha256:123456
USER 101
