#!/usr/bin/env bash
# Publishes pgark as one self-contained, trimmed executable: artifacts/single-file/<rid>/pgark (default linux-x64).
# The settings live in src/Pgark.Cli/Pgark.Cli.csproj under PublishSingleFile; a trim warning fails the publish.
# Prints the file's path on stdout; with --measure also its size and `pgark --version` start-up (hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
rid=linux-x64; measure=0
for arg in "$@"; do
  case "$arg" in
    --measure) measure=1 ;;
    linux-*) rid=$arg ;;
    *) echo "usage: scripts/publish-single-file.sh [linux-x64|linux-arm64] [--measure]" >&2; exit 2 ;;
  esac
done
out=artifacts/single-file/$rid
rm -rf "$out"
# The ReadyToRun step reuses obj/ outputs across publishes; a stale composite image there makes a broken file.
rm -rf "src/Pgark.Cli/obj/Release/net10.0/$rid"
dotnet publish src/Pgark.Cli -c Release -r "$rid" -p:PublishSingleFile=true -o "$out" --nologo -v q >&2
files=$(ls "$out")
if [ "$files" != "pgark" ]; then
  echo "pgark: expected one file named pgark in $out, found: $files" >&2
  exit 1
fi
echo "$PWD/$out/pgark"
if [ "$measure" -eq 1 ]; then
  bin=$PWD/$out/pgark
  echo "size: $(stat -c %s "$bin") bytes" >&2
  "$bin" --version >&2
  command -v hyperfine >/dev/null || { echo "pgark: install hyperfine (apt-get install hyperfine) to measure start-up" >&2; exit 1; }
  # Warm: the file in the page cache. Cold: the file evicted from the page cache before every run (dd iflag=nocache
  # drops its pages; dropping all caches needs a writable /proc/sys, which containers do not give).
  hyperfine -N --warmup 3 -r 30 "$bin --version" >&2
  hyperfine -N -r 20 --prepare "dd if=$bin iflag=nocache count=0 status=none" "$bin --version" >&2
fi
