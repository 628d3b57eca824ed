#!/usr/bin/env bash
# Installs what pgark's demo and tests need on a fresh Debian/Ubuntu machine with the .NET 10 SDK:
# the PostgreSQL server (Debian's, major 15 on bookworm), libzstd, b3sum (BLAKE3 oracle), zstd and
# openssl (test certificates). Idempotent: installs only what is missing, and calls apt-get only then.
set -euo pipefail

need=()
have_pg_server() { ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; }
have_pg_server || need+=(postgresql postgresql-contrib)
[ -e /usr/lib/x86_64-linux-gnu/libzstd.so.1 ] || [ -e /usr/lib/aarch64-linux-gnu/libzstd.so.1 ] \
  || ldconfig -p 2>/dev/null | grep -q 'libzstd.so.1 ' || need+=(libzstd1)
command -v b3sum >/dev/null || need+=(b3sum)
command -v zstd >/dev/null || need+=(zstd)
command -v openssl >/dev/null || need+=(openssl)
id postgres >/dev/null 2>&1 || need+=(postgresql-common)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "pgark: missing packages: ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "pgark: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts a default cluster on install; pgark's tests start their own on free ports.
  if command -v pg_lsclusters >/dev/null; then
    pg_lsclusters -h 2>/dev/null | while read -r ver name _; do pg_ctlcluster "$ver" "$name" stop 2>/dev/null || true; done
  fi
fi
command -v dotnet >/dev/null || { echo "pgark: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }
