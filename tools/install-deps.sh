#!/usr/bin/env bash
# Installs exactly what Custodian's build and tests need on Debian 12: the
# Debian packages, then the web UIs' npm packages (web/package-lock.json,
# with `npm ci`). Idempotent: packages already present are not fetched
# again, `apt-get update` runs only when something is missing, and `npm ci`
# only when the lock file changed since it last ran.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache
  clang clang-format libclang-rt-14-dev   # libFuzzer, sanitizers, format check
  libcpprest-dev                          # web::json, http_client
  libboost-dev libboost-date-time-dev     # calendar arithmetic (+ Beast later)
  libhowardhinnant-date-dev               # IANA zone rules from the system zoneinfo
  tzdata openssl
  libssl-dev                              # Ed25519, SHA-256, random tokens, TLS
  zlib1g-dev                              # gzip-encoded bundles
  libsqlitecpp-dev libsqlite3-dev sqlite3 # storage (sqlite3: benchmark yardstick)
  libpq-dev                               # the PostgreSQL engine (libpq)
  postgresql-15                           # the tests' real server (tests/support/postgres.sh)
  haproxy                                 # the replicas behind a load balancer (tests)
  wrk bc curl                             # HTTP benchmarks (bench/*.sh)
  jq                                      # the quick-start demonstration (tools/demo.sh)
  sslscan                                 # the TLS test checks what the server offers
  faketime                                # the enforcer's clock-jump test
  python3 python3-cryptography            # the independent audit-export verifier (tests/audit)
  libspdlog-dev                           # structured logs
  libargon2-dev                           # password hashing (Argon2id)
  libcli11-dev                            # the custodian CLI
  libpam0g-dev                            # the enforcer's administrator-credential check (PAM)
  libgtest-dev libgmock-dev libbenchmark-dev
  chromium fonts-dejavu-core              # the web console's end-to-end tests (headless)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then
    SUDO="sudo"
  fi
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The web UIs (web/): Node.js 20.19 or newer, from the machine (Debian 12's
# own nodejs is 18, too old for Vite 8).
web=$(cd "$(dirname "${BASH_SOURCE[0]}")/../web" && pwd)
if ! command -v npm >/dev/null || ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "install-deps: the web console needs Node.js >= 20.19 with npm (found: $(node --version 2>&1))" >&2
  exit 1
fi
stamp=$web/node_modules/.custodian-lock.sha256
if [[ ! -f $stamp ]] || ! (cd "$web" && sha256sum --status -c "$stamp" 2>/dev/null); then
  echo "install-deps: npm ci in web/" >&2
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
  (cd "$web" && sha256sum package-lock.json >"$stamp")
fi
