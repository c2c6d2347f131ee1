#!/usr/bin/env bash
# Bundle sizes (issue 15.3): the signed bundle of a policy with G groups
# (default 6000, in a tree 4 wide) and T technicians (default 50000), as
# served plain and gzip-encoded, and how long each fetch takes.
# The groups and technicians are written straight into a fresh node's
# database (technicians without a password: Argon2 for 50,000 would take
# most of an hour), then the admin center serves them.
#
#   bench/bundle_size.sh [G] [T]      after a build in build/release
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node.sh"
groups=${1:-6000}
technicians=${2:-50000}
init_node
sqlite3 "$work/data/admincenter.db" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $groups)
INSERT INTO groups (id, name, parent_id, document, position, created_at, updated_at)
SELECT 'g-' || i, 'Group ' || i, CASE WHEN i = 1 THEN NULL ELSE 'g-' || (i / 4 + 1) END,
       json_object('id', 'g-' || i, 'name', 'Group ' || i,
                   'parent_id', CASE WHEN i = 1 THEN NULL ELSE 'g-' || (i / 4 + 1) END,
                   'permissions', json_object('unattended_access', json('true'))),
       i, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z'
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $technicians)
INSERT INTO principals (id, kind, name, group_id, time_zone, position, created_at, updated_at)
SELECT 't-bench-' || i, 'technician', 'technician-' || i, 'g-' || (i % $groups + 1),
       CASE i % 3 WHEN 0 THEN 'Europe/Berlin' WHEN 1 THEN 'America/New_York' ELSE 'Asia/Tokyo' END,
       1000 + i, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z'
FROM n;
UPDATE policy_state SET tag = 'bench';
SQL
start_node
code=$(curl -fsS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{}' "$url/v1/enrollment-codes" | jq -r .code)
endpoint=$(curl -fsS -X POST -H 'Content-Type: application/json' \
  -d "{\"code\":\"$code\",\"name\":\"pc\",\"os\":\"linux\",\"time_zone\":\"UTC\"}" "$url/v1/enroll" | jq -r .token)
fetch() {  # [curl options…]: size_download time_total of the bundle
  curl -fsS -o /dev/null -w '%{size_download} %{time_total}' -H "Authorization: Bearer $endpoint" "$@" \
    "$url/v1/policy/bundle"
}
fetch >/dev/null  # issued, signed and cached once
read -r plain plain_s <<<"$(fetch)"
read -r gzip gzip_s <<<"$(fetch -H 'Accept-Encoding: gzip')"
echo "bundle of $groups groups and $technicians technicians:"
echo "  plain: $plain bytes in ${plain_s}s"
echo "  gzip:  $gzip bytes in ${gzip_s}s ($(echo "scale=3; $gzip / $plain" | bc) of plain)"
