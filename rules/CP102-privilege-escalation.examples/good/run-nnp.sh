#!/bin/sh
docker run --security-opt no-new-privileges myapp
docker run --security-opt=no-new-privileges:true myapp
