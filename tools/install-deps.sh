#!/usr/bin/env bash
# Installs exactly what Custodian's build and tests need on Debian 12.
# Idempotent: packages already present are not fetched again, and
# `apt-get update` runs once, only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache
  clang clang-format libclang-rt-14-dev   # libFuzzer, sanitizers, format check
  libcpprest-dev                          # web::json, http_client
  libboost-dev libboost-date-time-dev     # calendar arithmetic (+ Beast later)
  libhowardhinnant-date-dev               # IANA zone rules from the system zoneinfo
  tzdata openssl
  libssl-dev                              # Ed25519, SHA-256, random tokens, TLS
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
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
