#!/usr/bin/env bash
# `make demo`: a real shard merge on local MariaDB servers with the embedded master.
#
# Starts three throwaway MariaDB servers on 127.0.0.1 (two upstream shards, one downstream), a
# `braid master` and two `braid worker`s, starts a pessimistic shard-merge task routing
# shardddl{1,2}.tb{1,2} on both sources into shardddl.tb, writes rows, runs the same ALTER on
# every shard (printing the shard-DDL lock as it waits for the other shards), writes more rows, and
# checks that the downstream holds exactly the merged upstream rows (count and checksum).
# Every process it starts is stopped by PID on exit.
set -euo pipefail
DIR=${DEMO_DIR:-$(pwd)/demo-data}
# shellcheck source=scripts/demo-lib.sh
. "$(dirname "$0")/demo-lib.sh"

start_shards

step "starting braid: one master (embedded log) and two workers"
MP=$(free_port)
"$BRAID" master --data-dir "$DIR/master" --listen "127.0.0.1:$MP" >"$DIR/master.log" 2>&1 &
PIDS+=($!)
ctl() { "$BRAID" ctl --master "127.0.0.1:$MP" "$@"; }
deadline_wait 30 "the master" ctl list-member
for w in worker1 worker2; do
    "$BRAID" worker --name $w --master "127.0.0.1:$MP" --listen "127.0.0.1:$(free_port)" >"$DIR/$w.log" 2>&1 &
    PIDS+=($!)
done

start_merge_task

step "shard DDL: ALTER TABLE ... ADD COLUMN c INT on each shard, one at a time"
n=0
for target in "up1 shardddl1.tb1" "up1 shardddl1.tb2" "up2 shardddl1.tb1" "up2 shardddl1.tb2"; do
    set -- $target
    sql "$1" "ALTER TABLE $2 ADD COLUMN c INT DEFAULT 7"
    n=$((n + 1))
    echo "-- $1 $2 altered ($n of 4); the lock now:"
    if [ $n -lt 4 ]; then
        if [ $n -ge 2 ]; then deadline_wait 30 "the lock" bash -c "\"$BRAID\" ctl --master 127.0.0.1:$MP shard-ddl-lock demo | grep -q demo-"; fi
        ctl shard-ddl-lock demo || true
    fi
done
no_lock() { ! ctl shard-ddl-lock demo | grep -q 'demo-'; }
deadline_wait 60 "the lock to resolve" no_lock
echo "-- lock resolved:"; ctl shard-ddl-lock demo || true
deadline_wait 60 "the downstream column" bash -c "mariadb --no-defaults -S '$DIR/down.sock' -uroot -N -e 'SHOW CREATE TABLE shardddl.tb' | grep -q '\`c\`'"

step "writing rows that use the new column"
for s in up1 up2; do sql $s "INSERT INTO shardddl1.tb1 (id,v,n,c) VALUES ($([ $s = up1 ] && echo 50001 || echo 250001),'after-ddl',1,42)"; done

UP=$(count_up)
step "waiting for the downstream to hold the merged upstream"
deadline_wait 120 "the downstream to catch up" same
echo "upstream rows:   $UP   checksum $(checksum_up)"
echo "downstream rows: $(count_down)   checksum $(checksum_down)"
ctl query-status demo | head -40
echo
echo "demo OK: shardddl{1}.tb{1,2} on two sources merged into shardddl.tb with one coordinated DDL"
