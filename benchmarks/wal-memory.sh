#!/bin/bash
# Resident memory of `pgark wal stream` over a long run under pgbench -c 4 -j 2 (issue #5 goal: flat and ≤ 64 MB over 10 minutes).
#
# usage: benchmarks/wal-memory.sh [MINUTES=10] [PGARK=<built apphost>]
#
# A scratch PostgreSQL 15 cluster (as user postgres, under /tmp, started with this shell's descriptors closed) is initialized with
# pgbench -i -s 10; pgark wal stream archives it through its own slot into a scratch repository, and once it has caught up,
# pgbench -c 4 -j 2 runs for MINUTES. The streamer's VmRSS and VmHWM are read from /proc every second during the load. Prints
# RSS at the start of the load, p50, p99 and max, the peak (VmHWM), the max of the first and of the last minute (flatness),
# the WAL rate and the number of complete segments archived. PGARK is the command to run (default: the Release apphost
# src/Pgark.Cli/bin/Release/net10.0/pgark); environment variables such as DOTNET_gcServer pass through to it.
# Not a timing measurement: no shared lock is needed (and none may be held, so that the server does not inherit it).
# Needs root (runuser) and PostgreSQL 15 in /usr/lib/postgresql/15.
set -euo pipefail

MINUTES=${1:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGARK=${2:-$ROOT/src/Pgark.Cli/bin/Release/net10.0/pgark}
BIN=/usr/lib/postgresql/15/bin
[ -x "$PGARK" ] || { echo "no pgark at $PGARK: build first (dotnet build src/Pgark.Cli -c Release) or pass its path" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as postgres via runuser)" >&2; exit 2; }
[[ "$MINUTES" =~ ^[0-9]+$ ]] && [ "$MINUTES" -ge 1 ] || { echo "MINUTES must be a whole number ≥ 1, got '$MINUTES'" >&2; exit 2; }

WORK=$(mktemp -d /tmp/pgark-walmem-XXXXXX)
PORT=$((20000 + RANDOM % 20000))
PGDATA=$WORK/data
chown postgres "$WORK"
PGARK_PID=
SAMPLER=
cleanup() {
    [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
    [ -n "$PGARK_PID" ] && kill -TERM "$PGARK_PID" 2>/dev/null && wait "$PGARK_PID" 2>/dev/null || true
    runuser -u postgres -- "$BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

. "$ROOT/benchmarks/lib/wal-cluster.sh"

# 1. The server: defaults except what replication needs (fsync on).
start_wal_cluster

# 2. The streamer, on its own slot; the load starts once it is streaming and has caught up with pgbench -i.
"$PGARK" init --repo "$WORK/repo" >/dev/null
"$PGARK" wal stream --repo "$WORK/repo" --db "host=$WORK port=$PORT user=postgres dbname=postgres" --slot pgark --create-slot \
    2>"$WORK/pgark.log" &
PGARK_PID=$!
CAUGHT_UP_AT=$(psql_ -c "SELECT pg_current_wal_lsn()")
for _ in $(seq 1 1200); do
    [ "$(psql_ -c "SELECT coalesce(bool_and(active AND restart_lsn >= '$CAUGHT_UP_AT'), false) FROM pg_replication_slots")" = t ] && break
    kill -0 "$PGARK_PID" 2>/dev/null || { cat "$WORK/pgark.log" >&2; exit 1; }
    sleep 0.1
done
[ "$(psql_ -c "SELECT coalesce(bool_and(active AND restart_lsn >= '$CAUGHT_UP_AT'), false) FROM pg_replication_slots")" = t ] \
    || { echo "pgark did not catch up with pgbench -i" >&2; cat "$WORK/pgark.log" >&2; exit 1; }

# 3. Load, and one sample a second: seconds since the load started, VmRSS and VmHWM in KiB.
sample() {
    local t=0
    while [ -r "/proc/$PGARK_PID/status" ]; do
        awk -v t="$t" '/^VmRSS/ {rss = $2} /^VmHWM/ {hwm = $2} END {if (rss) print t, rss, hwm}' "/proc/$PGARK_PID/status" >>"$WORK/rss"
        t=$((t + 1))
        sleep 1
    done
}
sample &
SAMPLER=$!
START_LSN=$(psql_ -c "SELECT pg_current_wal_lsn()")
as_pg "$BIN/pgbench" -h "$WORK" -p "$PORT" -U postgres -c 4 -j 2 -T $((MINUTES * 60)) -n postgres >"$WORK/pgbench.log" 2>&1
END_LSN=$(psql_ -c "SELECT pg_current_wal_lsn()")
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
SAMPLER=
kill -0 "$PGARK_PID" 2>/dev/null || { echo "pgark wal stream exited during the load" >&2; cat "$WORK/pgark.log" >&2; exit 1; }
cp "$WORK/rss" /tmp/pgark-wal-memory.rss
SMAPS=$(awk '/^(Rss|Anonymous|Private_Dirty|Shared_Clean):/ {printf "%s %.1f MiB; ", $1, $2 / 1024}' "/proc/$PGARK_PID/smaps_rollup")
kill -TERM "$PGARK_PID"
wait "$PGARK_PID" || { echo "pgark wal stream did not stop cleanly" >&2; cat "$WORK/pgark.log" >&2; exit 1; }
PGARK_PID=

# 4. Report.
WAL_RATE=$(psql_ -c "SELECT round(pg_wal_lsn_diff('$END_LSN', '$START_LSN') / $((MINUTES * 60)) / 1048576.0, 2)")
TPS=$(grep -oE 'tps = [0-9.]+' "$WORK/pgbench.log" | head -1 | cut -d' ' -f3)
SEGMENTS=$(find "$WORK/repo/wal" -name '*.full.*' | wc -l)
echo "pgbench -c 4 -j 2 for $MINUTES min, scale 10: $TPS tps, $WAL_RATE MiB/s of WAL; $SEGMENTS complete segments archived; $(nproc) cores"
echo "pgark: $PGARK; at the end of the load: $SMAPS"
sort -n -k2 "$WORK/rss" | awk -v minutes="$MINUTES" '
    {rss[NR] = $2; if ($3 > hwm) hwm = $3}
    END {
        n = NR; p50 = rss[int((n - 1) * 0.50) + 1]; p99 = rss[int((n - 1) * 0.99) + 1]
        printf "RSS over the load (%d samples, 1 s apart): p50 %.1f MiB, p99 %.1f MiB, max %.1f MiB; peak (VmHWM) %.1f MiB\n",
            n, p50 / 1024, p99 / 1024, rss[n] / 1024, hwm / 1024
    }'
awk -v last=$((MINUTES * 60 - 60)) '
    NR == 1 {start = $2}
    $1 < 60 && $2 > first {first = $2}
    $1 >= last && $2 > final {final = $2}
    END {printf "RSS at the start of the load %.1f MiB; max of the first minute %.1f MiB, of the last minute %.1f MiB\n", start / 1024, first / 1024, final / 1024}' \
    "$WORK/rss"
echo "samples (seconds, VmRSS KiB, VmHWM KiB) kept in /tmp/pgark-wal-memory.rss"
