#!/usr/bin/env bash
# Database backup and restore with pg_dump / pg_restore (custom format).
#
#   config/backup.sh backup [FILE]   dump DATABASE_URL to FILE (default backups/faktencheck-<UTC time>.dump)
#   config/backup.sh restore FILE    restore FILE into DATABASE_URL, replacing what is there
#
# A backup is checked after writing (pg_restore --list must read it). A restore runs in
# one transaction: it either replaces everything or changes nothing.
set -euo pipefail

: "${DATABASE_URL:?Set DATABASE_URL (see .env.example)}"
ROOT=$(cd "$(dirname "$0")/.." && pwd)

backup() {
  local file=${1:-"$ROOT/backups/faktencheck-$(date -u +%Y%m%dT%H%M%SZ).dump"}
  mkdir -p "$(dirname "$file")"
  pg_dump --format=custom --no-owner --no-privileges --file="$file.partial" --dbname="$DATABASE_URL"
  pg_restore --list "$file.partial" >/dev/null
  mv "$file.partial" "$file"
  echo "backup: $file ($(du -h "$file" | cut -f1))"
}

restore() {
  local file=${1:?usage: $0 restore FILE}
  [ -f "$file" ] || { echo "restore: $file not found" >&2; exit 1; }
  pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
    --dbname="$DATABASE_URL" "$file"
  echo "restore: $file restored"
}

case "${1:-}" in
  backup) backup "${2:-}" ;;
  restore) restore "${2:-}" ;;
  *) echo "usage: $0 backup [FILE] | restore FILE" >&2; exit 2 ;;
esac
