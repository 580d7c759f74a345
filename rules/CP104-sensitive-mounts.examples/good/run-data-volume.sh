#!/bin/sh
docker run -v data:/data -v "$PWD/conf:/etc/app:ro" myapp
