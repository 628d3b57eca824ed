# Sourced by the WAL benchmarks (wal-lag.sh, wal-memory.sh, wal-ingest.sh): a scratch PostgreSQL 15 cluster for streaming
# under load. The caller sets BIN (PostgreSQL's bin directory), WORK (a directory postgres may write; the socket lives there),
# PORT, PGDATA, and optionally WAL_CLUSTER_CONF (more postgresql.conf lines, e.g. wal_keep_size).
# Defines as_pg and psql_; start_wal_cluster runs initdb with the settings replication needs (defaults otherwise, fsync on),
# starts the server with this shell's descriptors closed (a postmaster that inherits, say, a held benchmark lock never lets
# go of it), and loads pgbench -i -s 10.

as_pg() { runuser -u postgres -- "$@"; }
psql_() { as_pg "$BIN/psql" -h "$WORK" -p "$PORT" -U postgres -X -q -At -v ON_ERROR_STOP=1 "$@"; }

start_wal_cluster() {
    as_pg "$BIN/initdb" -D "$PGDATA" -U postgres -A trust >/dev/null
    cat >>"$PGDATA/postgresql.conf" <<CONF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$WORK'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
max_wal_size = 2GB
wal_sender_timeout = 60s
${WAL_CLUSTER_CONF:-}
CONF
    (
        for fd in /proc/$BASHPID/fd/*; do fd=${fd##*/}; if [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ]; then eval "exec $fd>&-"; fi; done
        exec runuser -u postgres -- "$BIN/pg_ctl" -D "$PGDATA" -l "$WORK/server.log" -w start >/dev/null
    )
    as_pg "$BIN/pgbench" -h "$WORK" -p "$PORT" -U postgres -i -s 10 -q postgres >/dev/null 2>&1
}
