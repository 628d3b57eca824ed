#!/usr/bin/env bash
# Side-by-side physical backup benchmark, one run, same clusters (issue "Physical backup and restore", Benchmarks):
#   pgark backup  vs  pg_basebackup -Ft -X stream (plain, and --compress=client-zstd:3)  vs  pgBackRest (zst, process-max=2)
# on two datasets (pgbench; realistic-dataset.sql, ~2-3x compressible), then two repeat scenarios (1% of rows in one key
# range; pgbench -T $TPS_SECONDS -c 4) backed up again by pgark and by pgBackRest (incr), with the page-diff probe's
# yardstick (changed 8 KiB pages, each compressed alone at zstd 3), then restore of the latest backup by both.
# Prints one markdown table per dataset (also written to $WORK/results.md).
#
# Needs root (the server runs as postgres), PostgreSQL 15 binaries, pgbench, pgbackrest (apt-get install -y pgbackrest),
# and a built CLI: dotnet build src/Pgark.Cli -c Release.   Knobs: SCALE ROWS TPS_SECONDS DATASETS WORK PORT PGARK PGBIN STEPS
#
# STEPS runs a part of it, so a long run splits into short ones (each dataset keeps its cluster and results in
# $WORK/<dataset> between calls): setup (cluster + load), bb (pg_basebackup plain and client-zstd:3), br (pgBackRest full),
# pa (pgark full, into a fresh repository; its repository is saved as pgark-full), one (1% scenario, then both repeats),
# tpcb (pgbench scenario, then both repeats), pa-tpcb (pgark's repeat again, from the saved full repository, on the data as
# it is now), restore, report (prints the table), stop. Default: all of them but pa-tpcb, in that order. Without br, the
# repeat steps skip pgBackRest's incremental backups. Under a lock, use `flock -o`: a server started by setup would
# otherwise inherit the lock's descriptor and hold the lock for as long as it runs.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
SCALE=${SCALE:-50}
ROWS=${ROWS:-1500000}
TPS_SECONDS=${TPS_SECONDS:-30}
DATASETS=${DATASETS:-"pgbench realistic"}
WORK=${WORK:-/tmp/pgark-vs}
PORT=${PORT:-55432}
PGARK=${PGARK:-"dotnet $ROOT/src/Pgark.Cli/bin/Release/net10.0/Pgark.Cli.dll"}
STEPS=${STEPS:-"setup bb br pa one tpcb restore report stop"}
WORK_ROOT=$WORK

as_pg() { runuser -u postgres -- "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
psql_() { as_pg "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres "$@"; }
pgbr() { as_pg pgbackrest --config="$WORK/pgbackrest.conf" --stanza=bench "$@"; }
pgbr_delta() { pgbr info --output=json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["backup"][-1]["info"]["repository"]["delta"])'; }
pgark_json() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[sys.argv[1]])' "$1"; }

setup_cluster() {
    if [ -f "$WORK/data/postmaster.pid" ]; then as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null || true; fi
    rm -rf "$WORK"; mkdir -p "$WORK"/{sock,pgbr,pgbr-log,pgbr-lock,pgbr-spool}; chown -R postgres "$WORK"
    as_pg "$PGBIN/initdb" -D "$WORK/data" --data-checksums -U postgres -A trust >/dev/null
    cat >> "$WORK/data/postgresql.conf" <<CONF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$SOCK'
wal_level = replica
max_wal_senders = 10
archive_mode = on
archive_command = 'pgbackrest --config=$WORK/pgbackrest.conf --stanza=bench archive-push %p'
shared_buffers = 256MB
max_wal_size = 4GB
checkpoint_timeout = 30min
CONF
    cat > "$WORK/pgbackrest.conf" <<CONF
[global]
repo1-path=$WORK/pgbr
compress-type=zst
compress-level=3
process-max=2
start-fast=y
repo1-retention-full=99
log-level-console=warn
log-level-file=off
log-path=$WORK/pgbr-log
lock-path=$WORK/pgbr-lock
spool-path=$WORK/pgbr-spool

[bench]
pg1-path=$WORK/data
pg1-port=$PORT
pg1-socket-path=$SOCK
CONF
    chown postgres "$WORK/pgbackrest.conf"
    as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w start >/dev/null
    pgbr stanza-create >/dev/null
    $PGARK init --repo "$WORK/pgark" >/dev/null
}

load() {
    case "$1" in
        pgbench) as_pg "$PGBIN/pgbench" -i -q -s "$SCALE" -h "$SOCK" -p "$PORT" -U postgres postgres >/dev/null 2>&1 ;;
        realistic) psql_ -v rows="$ROWS" -f "$HERE/realistic-dataset.sql" postgres >/dev/null ;;
    esac
    psql_ -c "CHECKPOINT" postgres
}

# One row of results: name seconds bytes, kept in $WORK/results between steps (the last value of a name wins).
declare -A T B
record() { T[$1]=$2; B[$1]=$3; echo "$1 $2 $3" >> "$WORK/results"; echo "   $1: $2 s, $(mb "$3") MiB" >&2; }
has_result() { grep -q "^$1 " "$WORK/results" 2>/dev/null; }
recall() { T=(); B=(); if [ -f "$WORK/results" ]; then while read -r k t b; do T[$k]=$t; B[$k]=$b; done < "$WORK/results"; fi; }

backup_pgark() {
    local t0 out; t0=$(now)
    out=$($PGARK backup --repo "$WORK/pgark" --db "$CONN" --json)
    record "$1" "$(since "$t0")" "$(echo "$out" | pgark_json stored_bytes)"
    echo "$out" > "$WORK/$1.json"
}
backup_pgbr() {
    local t0; t0=$(now)
    pgbr backup --type="$2" >/dev/null
    record "$1" "$(since "$t0")" "$(pgbr_delta)"
}
backup_basebackup() {
    local t0 dir="$WORK/basebackup"; rm -rf "$dir"; t0=$(now)
    as_pg "$PGBIN/pg_basebackup" -h "$SOCK" -p "$PORT" -U postgres -D "$dir" -Ft -X stream -c fast "${@:2}"
    record "$1" "$(since "$t0")" "$(du -sb "$dir" | cut -f1)"; rm -rf "$dir"
}

scenario_one_percent() {
    case "$1" in
        pgbench) psql_ -c "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid <= $((SCALE * 1000))" postgres ;;
        realistic) psql_ -c "UPDATE events SET amount = amount + 1, status = 'paid' WHERE id <= $((ROWS / 100))" postgres ;;
    esac
    psql_ -c "CHECKPOINT" postgres
}
scenario_tpcb() {
    case "$1" in
        pgbench) as_pg "$PGBIN/pgbench" -n -T "$TPS_SECONDS" -c 4 -h "$SOCK" -p "$PORT" -U postgres postgres >/dev/null 2>&1 ;;
        realistic)
            printf '\\set id random(1, %s)\nUPDATE events SET amount = amount + 1 WHERE id = :id;\n' "$ROWS" > "$WORK/update.sql"
            chown postgres "$WORK/update.sql"
            as_pg "$PGBIN/pgbench" -n -T "$TPS_SECONDS" -c 4 -f "$WORK/update.sql" -h "$SOCK" -p "$PORT" -U postgres postgres >/dev/null 2>&1 ;;
    esac
    psql_ -c "CHECKPOINT" postgres
}
probe() { python3 "$HERE/page-diff.py" "$@"; }
# Before each timed restore: nothing dirty left to write back and nothing of either repository in the page cache, so
# both tools read their repository from disk (root only; elsewhere the caches stay as they are).
drop_caches() { sync; if [ -w /proc/sys/vm/drop_caches ]; then echo 3 > /proc/sys/vm/drop_caches; fi; }

start_server() {
    [ -f "$WORK/data/postmaster.pid" ] || as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w start >/dev/null
}

run_step() {
    local dataset=$1 step=$2 t0
    [ "$step" = setup ] || [ "$step" = report ] || [ "$step" = stop ] || start_server
    case "$step" in
        setup)
            echo "== $dataset: set up and load" >&2
            setup_cluster; load "$dataset"
            psql_ -A -t -c "SELECT sum(pg_database_size(oid)) FROM pg_database" postgres > "$WORK/size" ;;
        bb)
            echo "== $dataset: pg_basebackup full backups" >&2
            backup_basebackup bb.full
            backup_basebackup bbz.full --compress=client-zstd:3 ;;
        br)
            echo "== $dataset: pgBackRest full backup" >&2
            backup_pgbr br.full full ;;
        pa)
            echo "== $dataset: pgark full backup" >&2
            rm -rf "$WORK/pgark" "$WORK/pgark-full"; $PGARK init --repo "$WORK/pgark" >/dev/null
            backup_pgark pa.full
            cp -a "$WORK/pgark" "$WORK/pgark-full" ;;
        one)
            echo "== $dataset: 1% of rows in one key range" >&2
            probe snapshot "$WORK/data" "$WORK/pages.json"
            scenario_one_percent "$dataset"
            probe diff "$WORK/data" "$WORK/pages.json" > "$WORK/one.json"
            if has_result br.full; then backup_pgbr br.one incr; fi
            backup_pgark pa.one ;;
        tpcb)
            echo "== $dataset: pgbench -T $TPS_SECONDS -c 4" >&2
            probe snapshot "$WORK/data" "$WORK/pages.json"
            scenario_tpcb "$dataset"
            probe diff "$WORK/data" "$WORK/pages.json" > "$WORK/tpcb.json"
            if has_result br.full; then backup_pgbr br.tpcb incr; fi
            backup_pgark pa.tpcb ;;
        pa-tpcb)
            echo "== $dataset: pgark repeat backup again, from the saved full repository" >&2
            rm -rf "$WORK/pgark"; cp -a "$WORK/pgark-full" "$WORK/pgark"
            backup_pgark pa.tpcb ;;
        restore)
            echo "== $dataset: restore the latest backup" >&2
            rm -rf "$WORK/restore-pgark"; drop_caches; t0=$(now)
            $PGARK restore --repo "$WORK/pgark" --target "$WORK/restore-pgark" >/dev/null
            record pa.restore "$(since "$t0")" "$(du -sb "$WORK/restore-pgark" | cut -f1)"
            rm -rf "$WORK/restore-pgark" "$WORK/restore-pgbr"; mkdir -p "$WORK/restore-pgbr"
            chown postgres "$WORK/restore-pgbr"; chmod 700 "$WORK/restore-pgbr"
            drop_caches; t0=$(now)
            pgbr restore --pg1-path="$WORK/restore-pgbr" >/dev/null
            record br.restore "$(since "$t0")" "$(du -sb "$WORK/restore-pgbr" | cut -f1)"
            rm -rf "$WORK/restore-pgbr" ;;
        stop)
            if [ -f "$WORK/data/postmaster.pid" ]; then as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null; fi ;;
        report) report "$dataset" ;;
        *) echo "unknown step '$step' (see STEPS at the top of $0)" >&2; exit 2 ;;
    esac
}

report() {
    local dataset=$1 one tpcb oneb tpcbb size
    recall
    size=$(cat "$WORK/size"); one=$(cat "$WORK/one.json" 2>/dev/null || echo '{}'); tpcb=$(cat "$WORK/tpcb.json" 2>/dev/null || echo '{}')
    field() { echo "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], 0))' "$2"; }
    oneb=$(field "$one" changed_compressed_bytes); tpcbb=$(field "$tpcb" changed_compressed_bytes)
    {
        echo
        echo "### $dataset ($(mb "$size") MiB of databases; $(date -u +%F) on $(nproc) cores)"
        echo
        echo "| step | pgark | pg_basebackup -Ft -X stream | … --compress=client-zstd:3 | pgBackRest (zst, process-max=2) | ratios |"
        echo "|---|---|---|---|---|---|"
        echo "| full backup: time | ${T[pa.full]:-} s | ${T[bb.full]:-} s | ${T[bbz.full]:-} s | ${T[br.full]:-} s | pgark / pg_basebackup plain $(ratio "${T[pa.full]:-0}" "${T[bb.full]:-0}") (goal ≤ 1) |"
        echo "| full backup: stored | $(mb "${B[pa.full]:-0}") MiB | $(mb "${B[bb.full]:-0}") MiB | $(mb "${B[bbz.full]:-0}") MiB | $(mb "${B[br.full]:-0}") MiB | pgark / client-zstd:3 $(ratio "${B[pa.full]:-0}" "${B[bbz.full]:-0}") (goal ≤ 1) |"
        echo "| 1% of rows: repeat backup | ${T[pa.one]:-} s, $(mb "${B[pa.one]:-0}") MiB | | | ${T[br.one]:-} s, $(mb "${B[br.one]:-0}") MiB (incr) | pgark / changed pages compressed ($(mb "$oneb") MiB, $(field "$one" changed_pages) pages) $(ratio "${B[pa.one]:-0}" "$oneb") (goal ≤ 1.25); time vs first $(ratio "${T[pa.one]:-0}" "${T[pa.full]:-0}") (goal < 1) |"
        echo "| pgbench -T $TPS_SECONDS -c 4: repeat backup | ${T[pa.tpcb]:-} s, $(mb "${B[pa.tpcb]:-0}") MiB | | | ${T[br.tpcb]:-} s, $(mb "${B[br.tpcb]:-0}") MiB (incr) | pgark / changed pages compressed ($(mb "$tpcbb") MiB, $(field "$tpcb" changed_pages) of $(field "$tpcb" pages) pages) $(ratio "${B[pa.tpcb]:-0}" "$tpcbb") (goal ≤ 1.25); time vs first $(ratio "${T[pa.tpcb]:-0}" "${T[pa.full]:-0}") |"
        echo "| restore latest | ${T[pa.restore]:-} s | | | ${T[br.restore]:-} s | pgark / pgBackRest $(ratio "${T[pa.restore]:-0}" "${T[br.restore]:-0}") (goal ≤ 0.7) |"
    } | tee -a "$RESULTS"
}

# Sourced (restore-vs.sh), only the functions above are wanted.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then return 0; fi
RESULTS=$(mktemp)
for dataset in $DATASETS; do
    WORK=$WORK_ROOT/$dataset SOCK=$WORK_ROOT/$dataset/sock
    CONN="host=$SOCK port=$PORT user=postgres"
    export PGHOST=$SOCK PGPORT=$PORT PGUSER=postgres
    for step in $STEPS; do run_step "$dataset" "$step"; done
done
cp "$RESULTS" "$WORK_ROOT/results.md"
echo "(tables also in $WORK_ROOT/results.md)" >&2
