# The old space-separated ENV form; a GitHub token is a secret under any name.
# expect: CP006 4
FROM alpine:3.20
ENV GIT_AUTH ghp_R8x2Lq7Zt4Vn1Kc9Pw3Jy6Hb0Md5Sf2Ga8Ue
