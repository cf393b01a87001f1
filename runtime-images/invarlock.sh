#!/bin/sh
# Entrypoint of the runtime images: the bundled CLI with the image's Node.
exec /usr/local/bin/node /app/dist/cli/index.js "$@"
