#!/bin/bash
# Sustained WAL ingest of the streamer alone, against the WAL rate pgbench generates on this machine (issue #5: goal ≥ 3×).
#
# usage: flock -o /tmp/pgark-build.lock benchmarks/wal-ingest.sh [generate|run|all] [OUT=/tmp/pgark-wal-ingest] [SECONDS=30]
#
# generate: a scratch PostgreSQL 15 cluster (as user postgres, under /tmp) runs pgbench -i -s 10, then pgbench -c 4 -j 2 -T SECONDS;
#   the WAL rate pgbench generated is pg_current_wal_lsn() after − before, divided by SECONDS. Every completed segment since initdb
#   (wal_keep_size keeps them all; another untimed pgbench -i
#   while fewer than 16) is copied to OUT/wal, and the rate to OUT/pgbench-rate.
# run: the Release benchmark replays OUT/wal through a loopback walsender emulator into the real WalReceiver (default, then
#   --synchronous), checks every stored segment byte for byte and prints MiB/s, peak RSS and the ratio to the pgbench rate.
# Each step holds the shared lock for about a minute; `-o` keeps the lock from being inherited by the server this script starts
# (and the server is started with the caller's descriptors closed as well). Needs root (runuser) and PostgreSQL 15.
set -euo pipefail

STEP=${1:-all}
OUT=${2:-/tmp/pgark-wal-ingest}
SECONDS_TO_RUN=${3:-30}
BIN=/usr/lib/postgresql/15/bin
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as postgres via runuser)" >&2; exit 2; }

step_generate() {
    local work port
    work=$(mktemp -d /tmp/pgark-walgen-XXXXXX)
    port=$((20000 + RANDOM % 20000))
    chown postgres "$work"
    # shellcheck disable=SC2064
    trap "runuser -u postgres -- '$BIN/pg_ctl' -D '$work/data' -m immediate -w stop >/dev/null 2>&1 || true; rm -rf '$work'" EXIT
    # The shared scratch cluster (server started with the caller's descriptors closed), keeping every segment since initdb.
    WORK=$work PORT=$port PGDATA=$work/data WAL_CLUSTER_CONF="wal_keep_size = 4GB"
    . "$ROOT/benchmarks/lib/wal-cluster.sh"
    start_wal_cluster
    local start_lsn end_lsn rate tps
    start_lsn=$(psql_ -c "SELECT pg_current_wal_lsn()")
    as_pg "$BIN/pgbench" -h "$work" -p "$port" -U postgres -c 4 -j 2 -T "$SECONDS_TO_RUN" -n postgres >"$work/pgbench.log" 2>&1
    end_lsn=$(psql_ -c "SELECT pg_current_wal_lsn()")
    rate=$(psql_ -c "SELECT round(pg_wal_lsn_diff('$end_lsn', '$start_lsn') / $SECONDS_TO_RUN / 1048576.0, 3)")
    tps=$(grep -oE 'tps = [0-9.]+' "$work/pgbench.log" | head -1 | cut -d' ' -f3)
    # Completed segments: every file before the one being written (later names in pg_wal are recycled files of old WAL).
    # At least 16 segments to replay: more pgbench WAL (a re-initialization, untimed) while fewer have been completed.
    for _ in 1 2 3; do
        [ "$(psql_ -c "SELECT pg_current_wal_insert_lsn() >= '0/11000000'")" = t ] && break
        as_pg "$BIN/pgbench" -h "$work" -p "$port" -U postgres -i -s 10 -q postgres >/dev/null 2>&1
    done
    psql_ -c "SELECT pg_switch_wal()" >/dev/null
    local current
    current=$(psql_ -c "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
    rm -rf "$OUT/wal"
    mkdir -p "$OUT/wal"
    for f in "$work/data/pg_wal"/[0-9A-F]*; do
        name=${f##*/}
        [ ${#name} = 24 ] && [[ "$name" < "$current" ]] && cp "$f" "$OUT/wal/"
    done
    local count
    count=$(find "$OUT/wal" -type f | wc -l)
    [ "$count" -ge 16 ] || { echo "only $count completed segments; need at least 16" >&2; exit 1; }
    echo "$rate" >"$OUT/pgbench-rate"
    as_pg "$BIN/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
    rm -rf "$work"
    trap - EXIT
    echo "pgbench -c 4 -j 2 -T $SECONDS_TO_RUN, scale 10: $tps tps, $rate MiB/s of WAL; $count segments copied to $OUT/wal"
}

step_run() {
    local rate
    rate=$(cat "$OUT/pgbench-rate")
    dotnet build "$ROOT/benchmarks/Pgark.Benchmarks" -c Release -v q -nologo >/dev/null
    local dll="$ROOT/benchmarks/Pgark.Benchmarks/bin/Release/net10.0/Pgark.Benchmarks.dll"
    for mode in default synchronous; do
        flags=()
        [ "$mode" = synchronous ] && flags+=(--synchronous)
        dotnet "$dll" wal-ingest "$OUT/wal" --repeat 3 --pgbench-rate "$rate" "${flags[@]}"
    done
}

case "$STEP" in
    generate) step_generate ;;
    run) step_run ;;
    all) step_generate; step_run ;;
    *) echo "unknown step $STEP: generate, run or all" >&2; exit 2 ;;
esac
