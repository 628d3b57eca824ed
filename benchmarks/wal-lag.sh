#!/bin/bash
# WAL archiving lag under load: pgark wal stream side by side with pg_receivewal --synchronous, same server, same run.
#
# usage: benchmarks/wal-lag.sh [SECONDS=60] [PGARK_MODE=default|synchronous]
#
# A scratch PostgreSQL 15 cluster (as user postgres, under /tmp) runs pgbench -c 4 -j 2 for SECONDS while both
# tools stream from it through their own physical slots. A server-side loop samples every 100 ms, with no client
# round trips, for each slot: bytes = pg_current_wal_lsn() - the slot's restart_lsn (the flush position the tool
# last reported, which is what the server may discard up to), and flush_lag from pg_stat_replication (the time
# between the server flushing WAL and the tool reporting it flushed). Prints p50/p99/max per tool as a Markdown
# table, and pgark's resident memory (VmRSS, sampled every 0.5 s over the load) as start/max/end. SECONDS may be short
# (e.g. 45) so that one run fits a shared machine's measurement slot. Needs root (for runuser), a Release build of src/Pgark.Cli, and PostgreSQL 15 in /usr/lib/postgresql/15.
set -euo pipefail

SECONDS_TO_RUN=${1:-60}
PGARK_MODE=${2:-default}
BIN=/usr/lib/postgresql/15/bin
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGARK_DLL="$ROOT/src/Pgark.Cli/bin/Release/net10.0/Pgark.Cli.dll"
[ -f "$PGARK_DLL" ] || { echo "build first: dotnet build src/Pgark.Cli -c Release" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as postgres via runuser)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/pgark-lagbench-XXXXXX)
PORT=$((20000 + RANDOM % 20000))
PGDATA=$WORK/data
SOCK=$WORK
chown postgres "$WORK"
PIDS=()
cleanup() {
    # SIGTERM: background jobs of a non-interactive shell ignore SIGINT.
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    runuser -u postgres -- "$BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

. "$ROOT/benchmarks/lib/wal-cluster.sh"

# 1. The server: defaults except what replication and a fair comparison need (fsync on, as in production).
start_wal_cluster

# 2. The two archivers, each on its own slot, both created before the load starts.
dotnet "$PGARK_DLL" init --repo "$WORK/repo" >/dev/null
PGARK_FLAGS=()
[ "$PGARK_MODE" = synchronous ] && PGARK_FLAGS+=(--synchronous)
dotnet "$PGARK_DLL" wal stream --repo "$WORK/repo" --db "host=$SOCK port=$PORT user=postgres dbname=postgres" \
    --slot pgark --create-slot "${PGARK_FLAGS[@]}" 2>"$WORK/pgark.log" &
PGARK_PID=$!
PIDS+=($PGARK_PID)
mkdir "$WORK/receivewal" && chown postgres "$WORK/receivewal"
as_pg "$BIN/pg_receivewal" -h "$SOCK" -p "$PORT" -U postgres -D "$WORK/receivewal" -S receivewal --create-slot >/dev/null 2>&1
# setpriv execs in place, so $! is pg_receivewal itself and cleanup's SIGINT reaches it.
setpriv --reuid=postgres --regid=postgres --init-groups "$BIN/pg_receivewal" -h "$SOCK" -p "$PORT" -U postgres \
    -D "$WORK/receivewal" -S receivewal --synchronous 2>"$WORK/receivewal.log" &
PIDS+=($!)
# Wait (condition, not time) until both slots are active.
for _ in $(seq 1 600); do
    [ "$(psql_ -c "SELECT count(*) FROM pg_replication_slots WHERE active")" = 2 ] && break
    sleep 0.1
done
[ "$(psql_ -c "SELECT count(*) FROM pg_replication_slots WHERE active")" = 2 ] || { cat "$WORK/pgark.log" "$WORK/receivewal.log"; exit 1; }

# Both catch up with what the server wrote before (pgbench -i) before the load starts, so only steady-state lag is sampled.
CAUGHT_UP_AT=$(psql_ -c "SELECT pg_current_wal_lsn()")
for _ in $(seq 1 1200); do
    [ "$(psql_ -c "SELECT bool_and(restart_lsn >= '$CAUGHT_UP_AT') FROM pg_replication_slots")" = t ] && break
    sleep 0.1
done
[ "$(psql_ -c "SELECT bool_and(restart_lsn >= '$CAUGHT_UP_AT') FROM pg_replication_slots")" = t ] || { echo "the tools did not catch up" >&2; exit 1; }

# 3. Load and sampling together. The sampler writes to an unlogged table: it adds no WAL of its own.
psql_ -c "CREATE UNLOGGED TABLE lag_samples (at timestamptz, slot text, bytes numeric, flush_lag_ms double precision)"
SAMPLES=$((SECONDS_TO_RUN * 10))
START_LSN=$(psql_ -c "SELECT pg_current_wal_lsn()")
psql_ -c "DO \$\$ BEGIN FOR i IN 1..$SAMPLES LOOP
    INSERT INTO lag_samples SELECT clock_timestamp(), s.slot_name, pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn),
        extract(epoch FROM r.flush_lag) * 1000
      FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid;
    COMMIT;
    PERFORM pg_sleep(0.1);
  END LOOP; END \$\$" &
SAMPLER=$!
while kill -0 "$PGARK_PID" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$PGARK_PID/status" >>"$WORK/rss.kb"; sleep 0.5; done &
RSS_SAMPLER=$!
as_pg "$BIN/pgbench" -h "$SOCK" -p "$PORT" -U postgres -c 4 -j 2 -T "$SECONDS_TO_RUN" -n postgres >"$WORK/pgbench.log" 2>&1
END_LSN=$(psql_ -c "SELECT pg_current_wal_lsn()")
wait $SAMPLER
kill "$RSS_SAMPLER" 2>/dev/null || true

# 4. Report.
WAL_RATE=$(psql_ -c "SELECT round(pg_wal_lsn_diff('$END_LSN', '$START_LSN') / $SECONDS_TO_RUN / 1048576.0, 2)")
TPS=$(grep -oE 'tps = [0-9.]+' "$WORK/pgbench.log" | head -1 | cut -d' ' -f3)
echo "pgbench -c 4 -j 2 -T $SECONDS_TO_RUN, scale 10: $TPS tps, $WAL_RATE MiB/s of WAL; pgark mode: $PGARK_MODE; $(nproc) cores"
echo
echo "| tool | samples | lag p50 (bytes) | lag p99 (bytes) | lag max (bytes) | flush_lag p50 (ms) | flush_lag p99 (ms) |"
echo "|---|---|---|---|---|---|---|"
psql_ -F ' | ' -c "SELECT CASE slot WHEN 'pgark' THEN 'pgark wal stream$( [ "$PGARK_MODE" = synchronous ] && echo ' --synchronous')'
                                   ELSE 'pg_receivewal --synchronous' END,
        count(*),
        round(percentile_cont(0.5) WITHIN GROUP (ORDER BY bytes)), round(percentile_cont(0.99) WITHIN GROUP (ORDER BY bytes)),
        max(bytes),
        round(percentile_cont(0.5) WITHIN GROUP (ORDER BY flush_lag_ms)::numeric, 1),
        round(percentile_cont(0.99) WITHIN GROUP (ORDER BY flush_lag_ms)::numeric, 1)
   FROM lag_samples GROUP BY slot ORDER BY slot DESC" | sed 's/^/| /; s/$/ |/'
echo
kill -TERM "$PGARK_PID" 2>/dev/null || true
wait "$PGARK_PID" 2>/dev/null || true
echo "$(tail -1 "$WORK/pgark.log" 2>/dev/null)"
awk 'NR == 1 {first = $1} {if ($1 > max) max = $1; last = $1} END {printf "pgark RSS over the load: start %.1f MiB, max %.1f MiB, end %.1f MiB (%d samples)\n", first / 1024, max / 1024, last / 1024, NR}' "$WORK/rss.kb"
