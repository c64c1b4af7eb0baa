#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded offline.
# `prisma generate` never runs it; any command that would must fail loudly.
echo "schema-engine is not available on this machine (offline); Gatewatch applies its own migrations" >&2
exit 1
