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

BRAID=${BRAID:?set BRAID to the braid executable}
DIR=${DEMO_DIR:-$(pwd)/demo-ha-data}
ROWS=${DEMO_ROWS:-2000}
rm -rf "$DIR"
mkdir -p "$DIR"
PIDS=()

cleanup() {
    local status=$?
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [ $status -ne 0 ]; then
        echo "demo FAILED (exit $status); logs are in $DIR" >&2
        tail -n 20 "$DIR"/*.log 2>/dev/null >&2 || true
    fi
    exit $status
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
deadline_wait() { # deadline_wait SECONDS DESCRIPTION COMMAND...
    local seconds=$1 what=$2; shift 2
    local end=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if [ $SECONDS -ge $end ]; then echo "timed out after ${seconds}s waiting for $what" >&2; return 1; fi
        sleep 0.2
    done
}

ROOT_ARGS=()
[ "$(id -u)" = 0 ] && ROOT_ARGS=(--user=root)

start_mariadb() { # start_mariadb NAME SERVER_ID PORT
    local name=$1 id=$2 port=$3 data="$DIR/$1" tmp="$DIR/$1-tmp"
    # Each server has its own --tmpdir: the bootstrap dies if a file it left in a shared /tmp is cleaned up.
    mkdir -p "$tmp"
    mariadb-install-db --no-defaults --datadir="$data" --tmpdir="$tmp" "${ROOT_ARGS[@]}" --auth-root-authentication-method=normal \
        --skip-test-db >"$DIR/$name-install.log" 2>&1
    mariadbd --no-defaults --datadir="$data" --tmpdir="$tmp" --socket="$DIR/$name.sock" --port="$port" --bind-address=127.0.0.1 \
        --pid-file="$DIR/$name.pid" --log-error="$DIR/$name.log" --log-bin=mysql-bin --binlog-format=ROW \
        --binlog-row-image=FULL --binlog-row-metadata=FULL --server-id="$id" --skip-name-resolve \
        --character-set-server=utf8mb4 --innodb-buffer-pool-size=32M --innodb-log-file-size=16M \
        --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 "${ROOT_ARGS[@]}" 2>>"$DIR/$name.log" &
    PIDS+=($!)
    deadline_wait 60 "mariadbd $name" mariadb --no-defaults -S "$DIR/$name.sock" -uroot -e 'SELECT 1'
    mariadb --no-defaults -S "$DIR/$name.sock" -uroot -e \
        "CREATE USER 'braid'@'%' IDENTIFIED BY 'braid-pw'; GRANT ALL PRIVILEGES ON *.* TO 'braid'@'%';"
}
sql() { local name=$1; shift; mariadb --no-defaults -S "$DIR/$name.sock" -uroot -N -B -e "$*"; }

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

step "starting MariaDB: two upstream shards and one downstream"
P1=$(free_port); P2=$(free_port); PD=$(free_port)
start_mariadb up1 1 "$P1"; start_mariadb up2 2 "$P2"; start_mariadb down 3 "$PD"
echo "up1 127.0.0.1:$P1  up2 127.0.0.1:$P2  downstream 127.0.0.1:$PD"
for s in up1 up2; do
    sql $s "CREATE DATABASE shardddl1; CREATE DATABASE shardddl2;
        CREATE TABLE shardddl1.tb1 (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL, n INT);
        CREATE TABLE shardddl1.tb2 (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL, n INT);"
done

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

for i in 1 2; do
    port_var=P$i
    cat >"$DIR/source$i.yaml" <<EOF
source-id: mysql-replica-0$i
flavor: mariadb
from:
  host: 127.0.0.1
  port: ${!port_var}
  user: braid
  password: braid-pw
EOF
    ctl operate-source create "$DIR/source$i.yaml" >/dev/null
done
cat >"$DIR/task.yaml" <<EOF
name: demo
task-mode: incremental
shard-mode: pessimistic
meta-schema: dm_meta
target-database:
  host: 127.0.0.1
  port: $PD
  user: braid
  password: braid-pw
mysql-instances:
  - source-id: mysql-replica-01
    block-allow-list: ba
    route-rules: [tables, schemas]
  - source-id: mysql-replica-02
    block-allow-list: ba
    route-rules: [tables, schemas]
block-allow-list:
  ba:
    do-dbs: ["shardddl1", "shardddl2"]
routes:
  tables:
    schema-pattern: "shardddl*"
    table-pattern: "tb*"
    target-schema: shardddl
    target-table: tb
  schemas:
    schema-pattern: "shardddl*"
    target-schema: shardddl
syncers:
  global:
    worker-count: 4
    batch: 100
EOF
bound() { ctl operate-source show | python3 -c '
import json,sys
sys.exit(0 if sum(1 for s in json.load(sys.stdin).get("sources",[]) if s.get("worker")) == 2 else 1)'; }
deadline_wait 30 "both sources to be bound to a worker" bound
step "start-task demo (pessimistic shard merge: 2 sources x 2 tables -> shardddl.tb)"
ctl start-task "$DIR/task.yaml" --remove-meta
synced() { ctl query-status demo | python3 -c '
import json,sys
subs=json.load(sys.stdin).get("status",{}).get("subtasks",[])
sys.exit(0 if len(subs)==2 and all((s.get("status") or {}).get("unit")=="Sync" and (s.get("status") or {}).get("stage")=="Running" for s in subs) else 1)'; }
deadline_wait 60 "both subtasks to run" synced

insert_rows() { # insert_rows SOURCE TABLE FIRST_ID COUNT WITH_N
    local s=$1 t=$2 first=$3 count=$4 withn=$5 values="" i
    for i in $(seq "$first" $((first + count - 1))); do
        if [ "$withn" = 1 ]; then values+="($i,'row-$i',$((i % 97))),"; else values+="($i,'row-$i'),"; fi
        if [ $(( (i - first + 1) % 500 )) = 0 ]; then
            if [ "$withn" = 1 ]; then sql "$s" "INSERT INTO $t (id,v,n) VALUES ${values%,}"; else sql "$s" "INSERT INTO $t (id,v) VALUES ${values%,}"; fi
            values=""
        fi
    done
    if [ -n "$values" ]; then
        if [ "$withn" = 1 ]; then sql "$s" "INSERT INTO $t (id,v,n) VALUES ${values%,}"; else sql "$s" "INSERT INTO $t (id,v) VALUES ${values%,}"; fi
    fi
}
step "writing $ROWS rows into each of the 4 shard tables"
insert_rows up1 shardddl1.tb1 1 "$ROWS" 1
insert_rows up1 shardddl1.tb2 100001 "$ROWS" 1
insert_rows up2 shardddl1.tb1 200001 "$ROWS" 1
insert_rows up2 shardddl1.tb2 300001 "$ROWS" 1
sql up1 "UPDATE shardddl1.tb1 SET v=CONCAT(v,'-u') WHERE id % 10 = 0; DELETE FROM shardddl1.tb2 WHERE id % 7 = 0"
sql up2 "UPDATE shardddl1.tb2 SET n=n+1 WHERE id % 3 = 0; DELETE FROM shardddl1.tb1 WHERE id % 11 = 0"

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

checksum_up() {
    { sql up1 "SELECT id,v,IFNULL(n,'N'),IFNULL(c,'N') FROM shardddl1.tb1 UNION ALL SELECT id,v,IFNULL(n,'N'),IFNULL(c,'N') FROM shardddl1.tb2"
      sql up2 "SELECT id,v,IFNULL(n,'N'),IFNULL(c,'N') FROM shardddl1.tb1 UNION ALL SELECT id,v,IFNULL(n,'N'),IFNULL(c,'N') FROM shardddl1.tb2"; } | sort -n | md5sum | cut -d' ' -f1
}
checksum_down() { sql down "SELECT id,v,IFNULL(n,'N'),IFNULL(c,'N') FROM shardddl.tb" | sort -n | md5sum | cut -d' ' -f1; }
count_up() { echo $(( $(sql up1 "SELECT (SELECT COUNT(*) FROM shardddl1.tb1)+(SELECT COUNT(*) FROM shardddl1.tb2)") + $(sql up2 "SELECT (SELECT COUNT(*) FROM shardddl1.tb1)+(SELECT COUNT(*) FROM shardddl1.tb2)") )); }
count_down() { sql down "SELECT COUNT(*) FROM shardddl.tb" 2>/dev/null || echo 0; }
UP=$(count_up)
same() { [ "$(count_down)" = "$UP" ] && [ "$(checksum_down)" = "$(checksum_up)" ]; }
step "waiting for the downstream to hold the merged upstream"
deadline_wait 120 "the downstream to catch up" same
echo "upstream rows:   $UP   checksum $(checksum_up)"
echo "downstream rows: $(count_down)   checksum $(checksum_down)"

step "every master's mirror: braid log verify"
last() { "$BRAID" log export --jsonl --data-dir "$DIR/m$1" | tail -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["seq"])'; }
mirrors_equal() { [ "$(last 1)" = "$(last 2)" ] && [ "$(last 2)" = "$(last 3)" ]; }
deadline_wait 30 "the mirrors to converge" mirrors_equal
for m in 1 2 3; do echo -n "m$m: "; "$BRAID" log verify --data-dir "$DIR/m$m" | tail -1; done
echo
echo "demo-ha OK: the leader died mid-lock, $NEW took over, the lock finished and the downstream matches"
