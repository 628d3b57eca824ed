#!/bin/bash
# usage: capture.sh DIR PORT SEGSIZE_MB WALCOMPRESSION
set -e
D=$1; PORT=$2; SEG=$3; COMP=$4
B=/usr/lib/postgresql/15/bin
rm -rf $D; mkdir -p $D/archive; chown -R postgres $D
runuser -u postgres -- $B/initdb -D $D/data --wal-segsize=$SEG -A trust -U postgres >/dev/null
cat >> $D/data/postgresql.conf <<C
port=$PORT
listen_addresses=''
unix_socket_directories='$D'
wal_compression=$COMP
wal_level=replica
max_wal_size=1GB
min_wal_size=$((SEG*4))MB
track_commit_timestamp=on
archive_mode=on
archive_command='cp %p $D/archive/%f'
C
runuser -u postgres -- $B/pg_ctl -D $D/data -l $D/log -w start >/dev/null
P="runuser -u postgres -- $B/psql -h $D -p $PORT -U postgres -X -q -v ON_ERROR_STOP=1"
$P -c "select pg_switch_wal()" >/dev/null
$P -c "checkpoint" 
$P <<S
create table t(id int primary key, v text);
insert into t select g, repeat('x', g % 50) from generate_series(1,2000) g;
begin; insert into t values (100001,'aborted'); rollback;
begin; insert into t values (100002,'a'); savepoint s1; insert into t values (100003,'b'); release savepoint s1;
  savepoint s2; insert into t values (100004,'c'); rollback to savepoint s2; commit;
delete from t where id % 7 = 0;
select pg_create_restore_point('pgark-golden-1');
checkpoint;
create table big(id int, payload text);
alter table big alter column payload set storage plain;
insert into big select g, repeat(md5(g::text), 200) from generate_series(1,30) g;
insert into t select g, repeat('y', 100) from generate_series(3000,9000) g;
delete from t where id between 3000 and 3500;
update t set v = 'z' where id between 1 and 300;
begin; create table dropme(a int); insert into dropme values (1); commit;
drop table dropme;
select pg_create_restore_point('pgark-golden-2');
S
$P -At -c "select pg_walfile_name(pg_current_wal_lsn()), pg_current_wal_lsn()"
$P -c "select pg_switch_wal()" >/dev/null
$P -c "checkpoint"
runuser -u postgres -- $B/pg_ctl -D $D/data -w stop >/dev/null
ls -la $D/archive
