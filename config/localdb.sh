#!/usr/bin/env bash
# Project-local PostgreSQL for development and tests.
#
#   config/localdb.sh url     print the DATABASE_URL of the local cluster
#   config/localdb.sh start   initialise (once) and start the cluster, create the database
#   config/localdb.sh stop    stop the cluster
#
# The cluster listens only on a Unix socket. PostgreSQL refuses to run as root, so when
# run as root the server runs as the "postgres" system user on a directory it owns.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DBNAME=${LOCALDB_NAME:-faktencheck}
PORT=${LOCALDB_PORT:-5432}

as_server_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

base_dir() {
  local dir="$ROOT/.pgdata"
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
    # The checkout is not reachable for the postgres user (e.g. a private temp dir):
    # keep the cluster in a per-checkout directory outside it.
    dir="/var/tmp/faktencheck-pg-$(printf %s "$ROOT" | md5sum | cut -c1-10)"
  fi
  printf %s "$dir"
}

pg_bin() {
  local name=$1 candidate
  candidate=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$candidate" ] && [ -x "$candidate/$name" ]; then
    printf %s "$candidate/$name"
  elif command -v "$name" >/dev/null 2>&1; then
    command -v "$name"
  else
    echo "localdb: $name not found; install the PostgreSQL server (apt-get install postgresql postgresql-contrib)" >&2
    exit 1
  fi
}

url() {
  local enc
  enc=$(printf %s "$(base_dir)" | sed 's|/|%2F|g')
  printf 'postgres://postgres@%s:%s/%s\n' "$enc" "$PORT" "$DBNAME"
}

start() {
  local base data
  base=$(base_dir)
  data="$base/data"
  mkdir -p "$base"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$base"; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    echo "localdb: initialising cluster in $data"
    as_server_user "$(pg_bin initdb)" --pgdata="$data" --username=postgres --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 >"$base/initdb.log"
  fi
  if ! as_server_user "$(pg_bin pg_ctl)" --pgdata="$data" status >/dev/null 2>&1; then
    as_server_user "$(pg_bin pg_ctl)" --pgdata="$data" --log="$base/server.log" --wait \
      --options="-c listen_addresses='' -k $base -p $PORT -c unix_socket_permissions=0700 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null
    echo "localdb: server started (socket in $base)"
  fi
  if ! psql -h "$base" -p "$PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DBNAME'" | grep -q 1; then
    psql -h "$base" -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE $DBNAME"
    echo "localdb: database $DBNAME created"
  fi
}

stop() {
  local data
  data="$(base_dir)/data"
  [ -f "$data/PG_VERSION" ] && as_server_user "$(pg_bin pg_ctl)" --pgdata="$data" --wait stop || true
}

case "${1:-}" in
  url) url ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 url|start|stop" >&2; exit 2 ;;
esac
