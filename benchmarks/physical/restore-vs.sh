#!/usr/bin/env bash
# Restore side by side: pgark restore vs pgBackRest restore (zst, process-max=2) of the same backups, in steps short
# enough to run one at a time (each under the shared lock on a shared machine):
#   STEPS=setup    new cluster, load DATASET, full backup by both tools          (the "first" backups)
#   STEPS=tpcb     pgbench -T $TPS_SECONDS -c 4 (or random updates), repeat backup by both (pgBackRest incr) ("latest")
#   STEPS=restore  for each of RESTORES (first latest), REPEAT times: sync and drop caches, time pgark restore into
#                  $WORK/restore-pgark; sync and drop caches, time pgBackRest restore into $WORK/restore-pgbr (the same
#                  filesystem); prints one line per restore and the ratio (both executables are loaded untimed first)
#   STEPS=start    starts the pgark-restored copy with pg_ctl (it must reach consistency on its own WAL) and stops it
# Several at once: STEPS="setup tpcb restore". The cluster and its backups stay in $WORK between steps.
# Knobs (besides physical-vs.sh's SCALE ROWS TPS_SECONDS PGARK PGBIN): DATASET (pgbench|realistic) WORK PORT STEPS
# RESTORES REPEAT PGARK_RESTORE_ARGS (extra arguments for pgark restore).
set -euo pipefail
export WORK=${WORK:-/tmp/pgark-restore-vs} PORT=${PORT:-55433}
# shellcheck source=physical-vs.sh
source "$(cd "$(dirname "$0")" && pwd)/physical-vs.sh"
DATASET=${DATASET:-pgbench}
STEPS=${STEPS:-"setup tpcb restore"}
RESTORES=${RESTORES:-"first latest"}
REPEAT=${REPEAT:-1}
PGARK_RESTORE_ARGS=${PGARK_RESTORE_ARGS:-}
SOCK=${SOCK:-$WORK/sock}
CONN=${CONN:-"host=$SOCK port=$PORT user=postgres"}
export PGHOST=$SOCK PGPORT=$PORT PGUSER=postgres

start_server() { [ -f "$WORK/data/postmaster.pid" ] || as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w start >/dev/null; }
stop_server() { as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null; }
pgbr_label() { pgbr info --output=json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["backup"][-1]["label"])'; }

# Both tools' backups of the same moment, remembered as $WORK/<name>.pgark (snapshot id) and <name>.pgbr (label).
backup_both() {
    local name=$1 type=$2 t0 out
    t0=$(now); pgbr backup --type="$type" >/dev/null; echo "pgBackRest $type backup: $(since "$t0") s" >&2
    pgbr_label > "$WORK/$name.pgbr"
    t0=$(now); out=$($PGARK backup --repo "$WORK/pgark" --db "$CONN" --json); echo "pgark backup: $(since "$t0") s" >&2
    echo "$out" | pgark_json snapshot > "$WORK/$name.pgark"
}

step_setup() {
    echo "== setup: $DATASET" >&2
    setup_cluster; load "$DATASET"
    backup_both first full
    stop_server
}

step_tpcb() {
    echo "== tpcb: $DATASET, $TPS_SECONDS s of updates" >&2
    start_server; scenario_tpcb "$DATASET"
    backup_both latest incr
    stop_server
}

# After dropping caches, both programs are loaded once untimed: the timing is of restoring, not of reading the tools'
# executables (pgark's runtime is ~30 MB, pgBackRest's binary ~2 MB) from disk; the repositories stay cold.
warm_binaries() { $PGARK help >/dev/null; pgbackrest version >/dev/null; }

restore_pgark() {
    local name=$1 t0
    rm -rf "$WORK/restore-pgark"; drop_caches; warm_binaries; t0=$(now)
    # shellcheck disable=SC2086
    $PGARK restore --repo "$WORK/pgark" --backup "$(cat "$WORK/$name.pgark")" --target "$WORK/restore-pgark" $PGARK_RESTORE_ARGS >/dev/null
    since "$t0"
}

restore_pgbr() {
    local name=$1 t0
    rm -rf "$WORK/restore-pgbr"; mkdir -p "$WORK/restore-pgbr"; chown postgres "$WORK/restore-pgbr"; chmod 700 "$WORK/restore-pgbr"
    drop_caches; warm_binaries; t0=$(now)
    pgbr restore --pg1-path="$WORK/restore-pgbr" --set="$(cat "$WORK/$name.pgbr")" --type=immediate >/dev/null
    since "$t0"
}

step_restore() {
    local name i pa br size
    for name in $RESTORES; do
        for ((i = 1; i <= REPEAT; i++)); do
            pa=$(restore_pgark "$name"); br=$(restore_pgbr "$name")
            size=$(du -sb "$WORK/restore-pgark" | cut -f1)
            echo "restore $DATASET $name ($(mb "$size") MiB): pgark $pa s, pgBackRest $br s, pgark / pgBackRest $(ratio "$pa" "$br") (goal ≤ 0.7)"
        done
    done
    rm -rf "$WORK/restore-pgbr"
}

step_start() {
    local port=$((PORT + 1))
    chown -R postgres "$WORK/restore-pgark"
    as_pg "$PGBIN/pg_ctl" -D "$WORK/restore-pgark" -l "$WORK/restored.log" -o "-p $port -c archive_mode=off" -w start >/dev/null
    psql_ -p "$port" -A -t -c "SELECT 'restored copy answers: ' || count(*) || ' databases' FROM pg_database" postgres
    as_pg "$PGBIN/pg_ctl" -D "$WORK/restore-pgark" -m fast -w stop >/dev/null
}

for step in $STEPS; do "step_$step"; done
