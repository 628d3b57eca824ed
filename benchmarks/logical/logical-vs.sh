#!/usr/bin/env bash
# Side-by-side logical backup benchmark, one scratch cluster, same database, one run (issue 7, Benchmarks):
#   backup:  pgark backup --kind logical --jobs 2  vs  pg_dump -Fc  vs  pg_dump -Fd -j 2        (time, bytes, peak RSS)
#   restore: pgark restore --kind logical --jobs 2 (and with --read-back)  vs  pg_restore -j 2 (from the -Fd dump), each into a
#            fresh database
#   daily:   1% of every big table's rows change (one key range each), then a second pgark backup (repository bytes
#            added) vs a second pg_dump -Fc (file size)
#   memory:  pgark backup and restore of one table, then of the same table 4x larger: peak RSS must not follow the size
# Prints one markdown table with ratios (also written to $WORK/results.md).
#
# The dataset, in database "bench": pgbench -i -s $SCALE --foreign-keys (accounts with keys and foreign keys, small
# branches/tellers), benchmarks/physical/realistic-dataset.sql with $ROWS events (random words, numbers, timestamps,
# hex ids, JSON: 2-3x compressible, with two secondary indexes) and a customers table of $ROWS/5 rows with primary
# key, unique and check constraints and an index.
#
# usage: logical-vs.sh [step ...]   steps: setup backup restore daily memory report (default: all, in that order)
# Every step after setup reuses the cluster and the figures in $WORK, so a step can be re-run alone (e.g. restore after
# a change to pgark) and each can be held under the shared measurement lock on its own:
#   for s in setup backup restore daily memory report stop; do flock /tmp/pgark-build.lock benchmarks/logical/logical-vs.sh $s; done
# (the server keeps running between steps; it is started with the caller's descriptors closed, so it never holds the lock).
# Needs root (the server runs as postgres), PostgreSQL 15 binaries, pgbench, GNU time (/usr/bin/time), and a built CLI:
# dotnet build src/Pgark.Cli -c Release.   Knobs: SCALE ROWS JOBS MEMORY_ROWS WORK PORT PGARK PGBIN
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
SCALE=${SCALE:-10}
ROWS=${ROWS:-800000}
JOBS=${JOBS:-2}
MEMORY_ROWS=${MEMORY_ROWS:-500000}
WORK=${WORK:-/tmp/pgark-logical-vs}
PORT=${PORT:-55442}
PGARK=${PGARK:-"dotnet $ROOT/src/Pgark.Cli/bin/Release/net10.0/Pgark.Cli.dll"}
SOCK=$WORK/sock
CONN="host=$SOCK port=$PORT user=postgres"
FIGURES=$WORK/figures.env
export PGHOST=$SOCK PGPORT=$PORT PGUSER=postgres PGOPTIONS="-c client_min_messages=warning"

[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as postgres via runuser)" >&2; exit 2; }
as_pg() { runuser -u postgres -- "$@"; }
psql_() { as_pg "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres "$@"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f%%", 100 * a / b; else print "-" }'; }

# Figures persist between steps: one "name=value" line each, the last one wins.
record() { echo "$1=$2" >> "$FIGURES"; }
figure() { awk -F= -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? "-" : v) }' "$FIGURES"; }

# measure NAME command...: wall seconds and peak RSS (the largest of the process and its children, from wait4) of one run.
measure() {
    local name=$1; shift
    /usr/bin/time -f '%e %M' -o "$WORK/time.out" "$@" > "$WORK/$name.out"
    read -r seconds kib < "$WORK/time.out"
    record "$name.s" "$seconds"; record "$name.rss" "$((kib / 1024))"
    echo "   $name: $seconds s, $((kib / 1024)) MiB peak RSS" >&2
}
stored_bytes() { sed -n 's/^stored: *\([0-9]*\) bytes.*/\1/p' "$WORK/$1.out"; }
snapshot_id() { sed -n 's/^snapshot: *\([0-9a-f]*\) (.*/\1/p' "$WORK/$1.out"; }
# The server must not inherit the caller's descriptors: under `flock LOCK logical-vs.sh` the postmaster would otherwise keep
# the shared lock held for as long as it runs.
start_server() {
    # A postmaster.pid left by a machine restart names no running server: pg_ctl status tells, pg_ctl start replaces it.
    as_pg "$PGBIN/pg_ctl" -D "$WORK/data" status >/dev/null 2>&1 && return 0
    (
        for fd in /proc/$BASHPID/fd/*; do fd=${fd##*/}; if [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ]; then eval "exec $fd>&-"; fi; done
        exec runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w start >/dev/null
    )
}
ROWS_SQL="SELECT (SELECT count(*) FROM events) || '/' || (SELECT count(*) FROM pgbench_accounts) || '/' || (SELECT count(*) FROM customers)"
fresh_db() { psql_ -c "DROP DATABASE IF EXISTS $1" postgres; psql_ -c "CREATE DATABASE $1 TEMPLATE template0" postgres; }

step_setup() {
    echo "== setup: cluster and dataset (SCALE=$SCALE, ROWS=$ROWS)" >&2
    if [ -f "$WORK/data/postmaster.pid" ]; then as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null || true; fi
    rm -rf "$WORK"; mkdir -p "$WORK/sock"; chown -R postgres "$WORK"; : > "$FIGURES"
    as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust >/dev/null
    cat >> "$WORK/data/postgresql.conf" <<CONF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$SOCK'
wal_level = logical
shared_buffers = 256MB
max_wal_size = 4GB
checkpoint_timeout = 30min
CONF
    start_server
    psql_ -c "CREATE DATABASE bench" postgres
    as_pg "$PGBIN/pgbench" -i -q -s "$SCALE" --foreign-keys -h "$SOCK" -p "$PORT" -U postgres bench >/dev/null 2>&1
    psql_ -v rows="$ROWS" -f "$ROOT/benchmarks/physical/realistic-dataset.sql" bench >/dev/null
    psql_ -v rows="$((ROWS / 5))" bench <<'SQL'
CREATE TABLE customers (
    id int PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL UNIQUE,
    since date NOT NULL,
    balance numeric(12, 2) NOT NULL CHECK (balance >= -1000)
);
INSERT INTO customers
SELECT g, initcap(wa[1 + (random() * 4095)::int] || ' ' || wa[1 + (random() * 4095)::int]),
       substr(md5(g::text), 1, 12) || '@' || wa[1 + (random() * 4095)::int] || '.example',
       date '2015-01-01' + (random() * 3650)::int, round((random() * 20000 - 1000)::numeric, 2)
  FROM generate_series(1, :rows) g, (SELECT array_agg(w ORDER BY n) AS wa FROM words) dictionary;
CREATE INDEX customers_since ON customers (since);
VACUUM ANALYZE customers;
SQL
    psql_ -c "VACUUM ANALYZE" -c "CHECKPOINT" bench
    local size copy
    size=$(psql_ -c "SELECT pg_database_size('bench')" postgres)
    copy=$(psql_ -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public'" bench)
    record db.bytes "$size"; record db.tables "$copy"
    echo "   bench: $(mb "$size") MiB, $copy tables" >&2
}

step_backup() {
    echo "== backup: pgark --jobs $JOBS, pg_dump -Fc, pg_dump -Fd -j $JOBS" >&2
    rm -rf "$WORK/pgark" "$WORK/dump.fc" "$WORK/dump.fd"
    $PGARK init --repo "$WORK/pgark" >/dev/null
    psql_ -c "CHECKPOINT" bench
    measure pa.backup $PGARK backup --kind logical --repo "$WORK/pgark" --db "$CONN dbname=bench" --jobs "$JOBS"
    record pa.backup.bytes "$(stored_bytes pa.backup)"; record pa.backup.id "$(snapshot_id pa.backup)"
    record pa.copy.bytes "$(sed -n 's/.*rows, \([0-9]*\) bytes of COPY text.*/\1/p' "$WORK/pa.backup.out")"
    measure fc.backup runuser -u postgres -- "$PGBIN/pg_dump" -h "$SOCK" -p "$PORT" -U postgres -Fc -f "$WORK/dump.fc" bench
    record fc.backup.bytes "$(stat -c %s "$WORK/dump.fc")"
    measure fd.backup runuser -u postgres -- "$PGBIN/pg_dump" -h "$SOCK" -p "$PORT" -U postgres -Fd -j "$JOBS" -f "$WORK/dump.fd" bench
    record fd.backup.bytes "$(du -sb "$WORK/dump.fd" | cut -f1)"
}

step_restore() {
    echo "== restore: pgark --jobs $JOBS, pg_restore -j $JOBS (from -Fd), each into a fresh database" >&2
    psql_ -c "DROP DATABASE IF EXISTS restore_pg" postgres    # one restored copy at a time: same cache and disk pressure
    fresh_db restore_pa; psql_ -c "CHECKPOINT" postgres
    measure pa.restore $PGARK restore --kind logical --repo "$WORK/pgark" --backup "$(figure pa.backup.id)" \
        --db "$CONN dbname=restore_pa" --jobs "$JOBS"
    # pgark compared every table's rows with the backup's; a spot check that both restores hold the same data:
    echo "   rows: $(psql_ -c "$ROWS_SQL" bench) in bench, $(psql_ -c "$ROWS_SQL" restore_pa) in restore_pa" >&2
    psql_ -c "DROP DATABASE restore_pa" postgres
    # The opt-in second full read (every table COPYed back out and compared with its row-set digest).
    fresh_db restore_pa; psql_ -c "CHECKPOINT" postgres
    measure pa.readback $PGARK restore --kind logical --repo "$WORK/pgark" --backup "$(figure pa.backup.id)" \
        --db "$CONN dbname=restore_pa" --jobs "$JOBS" --read-back
    psql_ -c "DROP DATABASE restore_pa" postgres
    fresh_db restore_pg; psql_ -c "CHECKPOINT" postgres
    measure fd.restore runuser -u postgres -- "$PGBIN/pg_restore" -h "$SOCK" -p "$PORT" -U postgres -j "$JOBS" -d restore_pg "$WORK/dump.fd"
    psql_ -c "DROP DATABASE restore_pg" postgres
}

step_daily() {
    echo "== daily: 1% of the rows of every big table change, second pgark backup and second pg_dump -Fc" >&2
    psql_ bench <<SQL
UPDATE events SET amount = amount + 1, status = 'paid' WHERE id <= $((ROWS / 100));
UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid <= $((SCALE * 1000));
UPDATE customers SET balance = balance + 10 WHERE id <= $((ROWS / 500));
CHECKPOINT;
SQL
    measure pa.daily $PGARK backup --kind logical --repo "$WORK/pgark" --db "$CONN dbname=bench" --jobs "$JOBS"
    record pa.daily.bytes "$(stored_bytes pa.daily)"
    rm -f "$WORK/dump2.fc"
    measure fc.daily runuser -u postgres -- "$PGBIN/pg_dump" -h "$SOCK" -p "$PORT" -U postgres -Fc -f "$WORK/dump2.fc" bench
    record fc.daily.bytes "$(stat -c %s "$WORK/dump2.fc")"
}

# One table of MEMORY_ROWS rows, then 4x as many: backup and restore peak RSS of each (a fresh repository each time).
step_memory() {
    echo "== memory: pgark peak RSS for one table of $MEMORY_ROWS rows and of $((4 * MEMORY_ROWS)) rows" >&2
    local size
    for size in 1 4; do
        psql_ -c "DROP DATABASE IF EXISTS mem" -c "CREATE DATABASE mem" postgres
        psql_ -c "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS a, md5((g * 7)::text) || repeat(' x', g % 50) AS b FROM generate_series(1, $((size * MEMORY_ROWS))) g" mem
        rm -rf "$WORK/pgark-mem"; $PGARK init --repo "$WORK/pgark-mem" >/dev/null
        measure "mem$size.backup" $PGARK backup --kind logical --repo "$WORK/pgark-mem" --db "$CONN dbname=mem" --jobs "$JOBS"
        record "mem$size.bytes" "$(sed -n 's/.*rows, \([0-9]*\) bytes of COPY text.*/\1/p' "$WORK/mem$size.backup.out")"
        fresh_db mem_restore
        measure "mem$size.restore" $PGARK restore --kind logical --repo "$WORK/pgark-mem" --backup "$(snapshot_id "mem$size.backup")" \
            --db "$CONN dbname=mem_restore" --jobs "$JOBS"
        psql_ -c "DROP DATABASE mem_restore" -c "DROP DATABASE mem" postgres
    done
    rm -rf "$WORK/pgark-mem"
}

step_report() {
    local f=figure
    {
        echo
        echo "### logical: $(mb "$($f db.bytes)") MiB database, $($f db.tables) tables, $(mb "$($f pa.copy.bytes)") MiB of COPY text; $(date -u +%F) on $(nproc) cores"
        echo
        echo "| step | pgark (--jobs $JOBS) | pg_dump -Fc | pg_dump -Fd -j $JOBS / pg_restore -j $JOBS | ratios (goal) |"
        echo "|---|---|---|---|---|"
        echo "| backup: time | $($f pa.backup.s) s | $($f fc.backup.s) s | $($f fd.backup.s) s | pgark / -Fc $(ratio "$($f pa.backup.s)" "$($f fc.backup.s)"), pgark / -Fd -j $JOBS $(ratio "$($f pa.backup.s)" "$($f fd.backup.s)") (≤ 1) |"
        echo "| backup: bytes | $(mb "$($f pa.backup.bytes)") MiB | $(mb "$($f fc.backup.bytes)") MiB | $(mb "$($f fd.backup.bytes)") MiB | pgark / -Fc $(ratio "$($f pa.backup.bytes)" "$($f fc.backup.bytes)") |"
        echo "| backup: peak RSS | $($f pa.backup.rss) MiB | $($f fc.backup.rss) MiB | $($f fd.backup.rss) MiB | |"
        echo "| restore: time | $($f pa.restore.s) s | | $($f fd.restore.s) s | pgark / pg_restore -j $JOBS $(ratio "$($f pa.restore.s)" "$($f fd.restore.s)") (≤ 1) |"
        echo "| restore --read-back: time | $($f pa.readback.s) s | | | pgark --read-back / pg_restore -j $JOBS $(ratio "$($f pa.readback.s)" "$($f fd.restore.s)") |"
        echo "| restore: peak RSS | $($f pa.restore.rss) MiB | | $($f fd.restore.rss) MiB | |"
        echo "| 1% of rows changed: second backup | $($f pa.daily.s) s, $(mb "$($f pa.daily.bytes)") MiB added | $($f fc.daily.s) s, $(mb "$($f fc.daily.bytes)") MiB file | | added / first stored $(pct "$($f pa.daily.bytes)" "$($f pa.backup.bytes)") (≤ 5%); added / second -Fc $(pct "$($f pa.daily.bytes)" "$($f fc.daily.bytes)") |"
        echo "| memory: one table, $(mb "$($f mem1.bytes)") MiB → $(mb "$($f mem4.bytes)") MiB of COPY text | backup $($f mem1.backup.rss) → $($f mem4.backup.rss) MiB, restore $($f mem1.restore.rss) → $($f mem4.restore.rss) MiB peak RSS | | | backup 4x / 1x $(ratio "$($f mem4.backup.rss)" "$($f mem1.backup.rss)"), restore 4x / 1x $(ratio "$($f mem4.restore.rss)" "$($f mem1.restore.rss)") (≈ 1) |"
    } | tee "$WORK/results.md"
}

steps=${*:-setup backup restore daily memory report stop}
for s in $steps; do
    [ "$s" = setup ] || [ "$s" = report ] || [ "$s" = stop ] || start_server
    case "$s" in
        setup|backup|restore|daily|memory|report) "step_$s" ;;
        stop) [ ! -f "$WORK/data/postmaster.pid" ] || as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null ;;
        *) echo "unknown step $s; steps: setup backup restore daily memory report stop" >&2; exit 2 ;;
    esac
done
