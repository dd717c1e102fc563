#!/bin/sh
# PostgreSQL init for docker compose (runs once, on an empty data directory).
#
# One database and one login role per service in $KRAVFLYT_SERVICES, the role owning only its
# database, and PUBLIC's CONNECT revoked, so a service can reach no other service's data, as in
# production. Passwords equal the role names: demo only, the server is not published beyond
# localhost.
set -eu

for service in $KRAVFLYT_SERVICES; do
  echo "kravflyt: database kravflyt_${service} for role ${service}"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE "${service}" LOGIN PASSWORD '${service}';
CREATE DATABASE "kravflyt_${service}" OWNER "${service}";
REVOKE ALL ON DATABASE "kravflyt_${service}" FROM PUBLIC;
SQL
done
