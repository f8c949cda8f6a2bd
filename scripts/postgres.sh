#!/usr/bin/env bash
# Make a PostgreSQL server answer on 127.0.0.1:5432 with role troly/troly (superuser, for per-test databases).
# Installs Debian's postgresql when missing; starts the cluster when stopped. Idempotent.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "installing postgresql (apt-get)…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi
for _ in $(seq 1 30); do
  su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break
  sleep 0.5
done
su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname='troly'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"create role troly login superuser password 'troly'\"" >/dev/null
echo "postgresql $version: online"
