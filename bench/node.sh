# Sourced by bench/*.sh: an admin center of the benchmark's own, on the
# embedded SQLite default in a fresh folder.
#   start_node [run flags…]   sets $work, $token, $port, $url and $node_pid;
#                             everything goes when the script exits
#   init_node                 only `admincenter init` (sets $work, $token),
#                             for a benchmark that fills the database first
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/build/release
work=$(mktemp -d)
node_pid=
cleanup_node() {
  [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup_node EXIT
init_node() { token=$("$bin/admincenter/admincenter" init --data-dir "$work/data"); }
start_node() {
  [ -n "${token:-}" ] || init_node
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  url=http://127.0.0.1:$port
  "$bin/admincenter/admincenter" run --data-dir "$work/data" --listen 127.0.0.1:$port \
    --console-dir none "$@" 2>"$work/ac.log" &
  node_pid=$!
  for _ in $(seq 100); do curl -fs "$url/healthz" >/dev/null && break; sleep 0.05; done
}
