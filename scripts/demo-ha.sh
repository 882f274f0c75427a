#!/usr/bin/env bash
# `make demo-ha`: the shard merge of `make demo` on an HA cluster, with the leader killed mid-lock.
#
# Starts a 3-member etcd, three `braid master --etcd` (one leads, two follow with LMDB mirrors), two
# workers and three MariaDB servers, all on 127.0.0.1. A pessimistic shard merge runs with DML
# flowing; halfway through the shard DDL the leader is SIGKILLed. The script prints the new leader,
# the measured failover time (kill -> the new leader's first fenced append, its `leader.elected`
# record), the lock finishing, matching row counts and checksums, and `braid log verify` on every
# master's mirror. Every process it starts is stopped by PID on exit.
set -euo pipefail
DIR=${DEMO_DIR:-$(pwd)/demo-ha-data}
# shellcheck source=scripts/demo-lib.sh
. "$(dirname "$0")/demo-lib.sh"
TTL=${DEMO_TTL:-3s}

step "starting etcd: three members"
E1=$(free_port); E2=$(free_port); E3=$(free_port); Q1=$(free_port); Q2=$(free_port); Q3=$(free_port)
CLUSTER="e1=http://127.0.0.1:$Q1,e2=http://127.0.0.1:$Q2,e3=http://127.0.0.1:$Q3"
i=0
for pair in "$E1 $Q1" "$E2 $Q2" "$E3 $Q3"; do
    i=$((i + 1)); set -- $pair
    etcd --name e$i --data-dir "$DIR/etcd-e$i" --listen-client-urls "http://127.0.0.1:$1" --advertise-client-urls "http://127.0.0.1:$1" \
        --listen-peer-urls "http://127.0.0.1:$2" --initial-advertise-peer-urls "http://127.0.0.1:$2" \
        --initial-cluster "$CLUSTER" --initial-cluster-token "braid-demo-$$" --initial-cluster-state new >"$DIR/etcd-e$i.log" 2>&1 &
    PIDS+=($!)
done
ETCD="127.0.0.1:$E1,127.0.0.1:$E2,127.0.0.1:$E3"
etcd_healthy() { python3 -c "import urllib.request,sys; sys.exit(0 if b'true' in urllib.request.urlopen('http://127.0.0.1:$E1/health', timeout=1).read() else 1)"; }
deadline_wait 30 "etcd" etcd_healthy
echo "etcd $ETCD"

start_shards

step "starting braid: three masters (HA on etcd, election TTL $TTL) and two workers"
M1=$(free_port); M2=$(free_port); M3=$(free_port)
MPORTS=("" "$M1" "$M2" "$M3")
declare -A MPID
start_master() { # start_master N
    "$BRAID" master --data-dir "$DIR/m$1" --listen "127.0.0.1:${MPORTS[$1]}" --name "m$1" --etcd "$ETCD" \
        --election-ttl "$TTL" >>"$DIR/m$1.log" 2>&1 &
    MPID[$1]=$!
    disown $!  # no "Killed" job notice when the demo SIGKILLs it
    PIDS+=($!)
}
for m in 1 2 3; do start_master $m; done
MASTERS="127.0.0.1:$M1,127.0.0.1:$M2,127.0.0.1:$M3"
MP=$M1
ctl() { "$BRAID" ctl --master "$MASTERS" "$@"; }
leader() { ctl list-member --leader | python3 -c '
import json,sys
for m in json.load(sys.stdin).get("members",[]):
    if "leader" in m: print(m["leader"]["name"]); sys.exit(0)
sys.exit(1)'; }
deadline_wait 30 "a leader" leader
echo "leader: $(leader)"
ctl list-member --master | python3 -c '
import json,sys
for m in json.load(sys.stdin)["members"]:
    for x in m.get("master",{}).get("masters",[]): print("  %-4s %-26s %s" % (x["name"], x["address"], "leader, term %d" % x["term"] if x["leader"] else "follower"))'
for w in worker1 worker2; do
    "$BRAID" worker --name $w --master "$MASTERS" --listen "127.0.0.1:$(free_port)" >"$DIR/$w.log" 2>&1 &
    PIDS+=($!)
done

start_merge_task

step "DML keeps flowing in the background (shardddl1.tb2 on up1, one row at a time)"
(
    id=500001
    while [ ! -f "$DIR/stop-dml" ]; do
        sql up1 "INSERT INTO shardddl1.tb2 (id,v,n) VALUES ($id,'live-$id',$((id % 97)))" || true
        id=$((id + 1))
    done
) &
DML=$!
PIDS+=($DML)

step "shard DDL: ALTER TABLE ... ADD COLUMN c INT on each shard; the leader is killed after the second"
n=0
for target in "up1 shardddl1.tb1" "up1 shardddl1.tb2" "up2 shardddl1.tb1" "up2 shardddl1.tb2"; do
    set -- $target
    sql "$1" "ALTER TABLE $2 ADD COLUMN c INT DEFAULT 7"
    n=$((n + 1))
    echo "-- $1 $2 altered ($n of 4)"
    if [ $n = 2 ]; then
        deadline_wait 30 "the lock" bash -c "\"$BRAID\" ctl --master $MASTERS shard-ddl-lock demo | grep -q demo-"
        echo "-- the lock, in flight:"; ctl shard-ddl-lock demo || true
        OLD=$(leader); OLDN=${OLD#m}
        KILLED_AT=$(python3 -c 'import time; print(int(time.time()*1000))')
        kill -KILL "${MPID[$OLDN]}"
        echo "-- SIGKILL the leader $OLD (pid ${MPID[$OLDN]})"
        new_leader() { l=$(leader) && [ "$l" != "$OLD" ]; }
        deadline_wait 30 "a new leader" new_leader
        NEW=$(leader); NEWN=${NEW#m}
        elected_at() { "$BRAID" log export --jsonl --data-dir "$DIR/m$NEWN" | python3 -c '
import json,sys
at=None
for line in sys.stdin:
    r=json.loads(line)
    if r.get("type")=="leader.elected" and r["event"]["elected"]["member"]==sys.argv[1]: at=r["event"]["elected"]["at"]
print(at) if at else sys.exit(1)' "$NEW"; }
        deadline_wait 30 "the new leader's first append" elected_at
        echo "-- new leader: $NEW, failover $(( $(elected_at) - KILLED_AT )) ms (kill -> its first fenced append)"
        start_master "$OLDN"
        echo "-- $OLD restarted as a follower"
    fi
done
no_lock() { ! ctl shard-ddl-lock demo | grep -q 'demo-'; }
deadline_wait 60 "the lock to resolve" no_lock
echo "-- lock resolved under the new leader:"; ctl shard-ddl-lock demo || true
deadline_wait 60 "the downstream column" bash -c "mariadb --no-defaults -S '$DIR/down.sock' -uroot -N -e 'SHOW CREATE TABLE shardddl.tb' | grep -q '\`c\`'"
touch "$DIR/stop-dml"; wait $DML || true
for s in up1 up2; do sql $s "INSERT INTO shardddl1.tb1 (id,v,n,c) VALUES ($([ $s = up1 ] && echo 50001 || echo 250001),'after-ddl',1,42)"; done

UP=$(count_up)
step "waiting for the downstream to hold the merged upstream"
deadline_wait 120 "the downstream to catch up" same
echo "upstream rows:   $UP   checksum $(checksum_up)"
echo "downstream rows: $(count_down)   checksum $(checksum_down)"

step "every master's mirror: braid log verify"
last() { "$BRAID" log export --jsonl --data-dir "$DIR/m$1" | tail -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["seq"])'; }
mirrors_equal() { [ "$(last 1)" = "$(last 2)" ] && [ "$(last 2)" = "$(last 3)" ]; }
deadline_wait 30 "the mirrors to converge" mirrors_equal
# The leader keeps appending (checkpoints, keepalive grants): compare every mirror up to the same record.
UPTO=$(for m in 1 2 3; do last $m; done | sort -n | head -1)
for m in 1 2 3; do echo -n "m$m: "; "$BRAID" log verify --data-dir "$DIR/m$m" --digest-through "$UPTO" | tail -2 | paste -sd " " -; done
echo
echo "demo-ha OK: the leader died mid-lock, $NEW took over, the lock finished and the downstream matches"
