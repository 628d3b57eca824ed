#!/usr/bin/env bash
# Full physical backups alternated round by round on the restore-vs.sh cluster (run `STEPS=setup restore-vs.sh` first):
# each argument is a contender, either `pg_basebackup` (-Ft -X stream, uncompressed, into a scratch directory) or a pgark
# executable, optionally with environment settings after a colon (`/path/to/pgark:NAME=value`), backed up into a fresh
# repository each time. Every backup follows a CHECKPOINT. Prints wall seconds (and pgark's user/system CPU) per backup.
#   ROUNDS=4 benchmarks/physical/backup-ab.sh pg_basebackup /tmp/pgark-old artifacts/single-file/linux-x64/pgark
# Knobs: ROUNDS WORK PORT PGBIN. Under a shared lock, use `flock -o` (see physical-vs.sh).
set -euo pipefail
WORK=${WORK:-/tmp/pgark-restore-vs}
PORT=${PORT:-55433}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
ROUNDS=${ROUNDS:-3}
SOCK=$WORK/sock
CONN="host=$SOCK port=$PORT user=postgres"
SCRATCH=$(mktemp -d /tmp/pgark-backup-ab.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
chown postgres "$SCRATCH"
as_pg() { runuser -u postgres -- "$@"; }
now() { date +%s.%N; }
[ -f "$WORK/data/postmaster.pid" ] || as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w start >/dev/null
for round in $(seq 1 "$ROUNDS"); do
    for contender in "$@"; do
        as_pg "$PGBIN/psql" -X -q -h "$SOCK" -p "$PORT" -U postgres -c checkpoint
        rm -rf "${SCRATCH:?}"/out; mkdir "$SCRATCH/out"; chown postgres "$SCRATCH/out"
        if [ "$contender" = pg_basebackup ]; then
            t0=$(now); as_pg "$PGBIN/pg_basebackup" -d "$CONN" -D "$SCRATCH/out/tar" -Ft -X stream -c fast; t1=$(now); cpu=""
        else
            bin=${contender%%:*}; settings=""; [ "$bin" != "$contender" ] && settings=${contender#*:}
            # shellcheck disable=SC2086
            env $settings "$bin" init --repo "$SCRATCH/out/repo" >/dev/null
            t0=$(now)
            # shellcheck disable=SC2086
            env $settings /usr/bin/time -f "%U user %S system CPU-s" -o "$SCRATCH/cpu" "$bin" backup --repo "$SCRATCH/out/repo" --db "$CONN" --checkpoint fast >/dev/null
            t1=$(now); cpu=$(cat "$SCRATCH/cpu")
        fi
        printf 'round %d  %-50s %6.2f s  %s\n' "$round" "$contender" "$(echo "$t1 - $t0" | bc)" "$cpu"
    done
done
