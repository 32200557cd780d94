#!/bin/sh
# Runs once when the primary's volume is initialised (/docker-entrypoint-initdb.d):
# let the replica stream WAL over the compose network with the database password.
set -eu
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
