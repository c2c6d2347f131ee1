#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: initdb and pg_ctl in a fresh
# folder, as an unprivileged user (nobody, when run as root: PostgreSQL
# refuses to run as root), listening on a free loopback port with trust
# authentication for the superuser "custodian". Nothing outside the folder
# is touched.
#
#   postgres.sh start STATE   starts one; writes STATE/url (postgresql://…:PORT)
#   postgres.sh stop STATE    stops it and removes its data
#   postgres.sh restart STATE stops it (fast shutdown) and starts it again on the same port
#
# STATE is a folder of the caller's; the cluster itself lives in STATE/cluster.
set -euo pipefail
command=$1
state=$2

bindir=$(pg_config --bindir 2>/dev/null || true)
if [[ ! -x $bindir/initdb ]]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
if [[ ! -x $bindir/initdb ]]; then
  echo "postgres.sh: no PostgreSQL server found (tools/install-deps.sh installs postgresql-15)" >&2
  exit 1
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

cluster=$state/cluster
ctl() { as_owner "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" "$@"; }

start_server() {
  local port=$1
  ctl -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$cluster \
    -c max_connections=300 -c shared_buffers=64MB -c fsync=on -c synchronous_commit=on" \
    start >/dev/null
}

case $command in
  start)
    mkdir -p "$state"
    rm -rf "$cluster"
    mkdir -m 0700 "$cluster"
    [[ $(id -u) -eq 0 ]] && chown nobody:nogroup "$cluster"
    as_owner "$bindir/initdb" -D "$cluster/data" -U custodian --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$cluster/initdb.log" 2>&1 ||
      { cat "$cluster/initdb.log" >&2; exit 1; }
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    start_server "$port" || { cat "$cluster/server.log" >&2; exit 1; }
    echo "$port" >"$state/port"
    echo "postgresql://custodian@127.0.0.1:$port" >"$state/url"
    cat "$state/url"
    ;;
  restart)
    ctl -m fast -w stop >/dev/null
    start_server "$(cat "$state/port")"
    ;;
  stop)
    if [[ -d $cluster/data ]]; then
      ctl -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$cluster" "$state/url" "$state/port"
    ;;
  *)
    echo "usage: postgres.sh start|stop|restart STATE" >&2
    exit 2
    ;;
esac
