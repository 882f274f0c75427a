# Shared by scripts/demo.sh and scripts/demo-ha.sh: process cleanup by PID, waiting with deadlines,
# throwaway MariaDB servers, the pessimistic merge task and the upstream/downstream checksums.
# The caller sets DIR (and DEMO_ROWS) before sourcing it and defines `ctl` before calling
# start_merge_task. (Function bodies are not indented: they hold here-documents.)
BRAID=${BRAID:?set BRAID to the braid executable}
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


# Two upstream shards (up1, up2) and one downstream (down), each with shardddl1.tb{1,2} upstream.
start_shards() {
step "starting MariaDB: two upstream shards and one downstream"
P1=$(free_port); P2=$(free_port); PD=$(free_port)
start_mariadb up1 1 "$P1"; start_mariadb up2 2 "$P2"; start_mariadb down 3 "$PD"
echo "up1 127.0.0.1:$P1  up2 127.0.0.1:$P2  downstream 127.0.0.1:$PD"
for s in up1 up2; do
    sql $s "CREATE DATABASE shardddl1; CREATE DATABASE shardddl2;
        CREATE TABLE shardddl1.tb1 (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL, n INT);
        CREATE TABLE shardddl1.tb2 (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL, n INT);"
done
}

# Both sources, the task, start-task, and $ROWS rows (plus updates and deletes) on the four shard tables.
start_merge_task() {
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
}

checksum_up() {
    { sql up1 "SELECT id,v,IFNULL(n,'N'),IFNULL(c,'N') FROM shardddl1.tb1 UNION ALL SELECT id,v,IFNULL(n,'N'),IFNULL(c,'N') FROM shardddl1.tb2"
      sql up2 "SELECT id,v,IFNULL(n,'N'),IFNULL(c,'N') FROM shardddl1.tb1 UNION ALL SELECT id,v,IFNULL(n,'N'),IFNULL(c,'N') FROM shardddl1.tb2"; } | sort -n | md5sum | cut -d' ' -f1
}
checksum_down() { sql down "SELECT id,v,IFNULL(n,'N'),IFNULL(c,'N') FROM shardddl.tb" | sort -n | md5sum | cut -d' ' -f1; }
count_up() { echo $(( $(sql up1 "SELECT (SELECT COUNT(*) FROM shardddl1.tb1)+(SELECT COUNT(*) FROM shardddl1.tb2)") + $(sql up2 "SELECT (SELECT COUNT(*) FROM shardddl1.tb1)+(SELECT COUNT(*) FROM shardddl1.tb2)") )); }
count_down() { sql down "SELECT COUNT(*) FROM shardddl.tb" 2>/dev/null || echo 0; }
# Whether the downstream holds the upstream rows counted in $UP, with the same checksum.
same() { [ "$(count_down)" = "$UP" ] && [ "$(checksum_down)" = "$(checksum_up)" ]; }
