#!/bin/sh
# Generate ./configure from a git clone (release tarballs ship it).
set -e
cd "$(dirname "$0")"
autoreconf --install --force
