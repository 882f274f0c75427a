#!/usr/bin/env python3
"""Reads a MariaDB binlog to its end with the PyPI `mysql-replication` package and decodes every
row, for comparison with `braid-bench binlog`. Prints one line: events=N rows=N seconds=S.

Usage: binlog_python.py --port P --user U --password W --file mysql-bin.000001 --pos 4
"""
import argparse
import time

from pymysqlreplication import BinLogStreamReader
from pymysqlreplication.row_event import DeleteRowsEvent, UpdateRowsEvent, WriteRowsEvent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--pos", type=int, default=4)
    parser.add_argument("--server-id", type=int, default=9001)
    args = parser.parse_args()

    stream = BinLogStreamReader(
        connection_settings={"host": args.host, "port": args.port, "user": args.user, "passwd": args.password},
        server_id=args.server_id,
        blocking=False,  # stop at the end of the binlog, like braid's .untilEnd
        resume_stream=True,
        log_file=args.file,
        log_pos=args.pos,  # (is_mariadb is only for GTID auto-positioning; with it, log_file is ignored)
    )
    events = 0
    rows = 0
    started = time.perf_counter()
    for event in stream:
        events += 1
        if isinstance(event, (WriteRowsEvent, UpdateRowsEvent, DeleteRowsEvent)):
            rows += len(event.rows)  # decodes every value of every row
    elapsed = time.perf_counter() - started
    stream.close()
    print(f"events={events} rows={rows} seconds={elapsed:.3f}")


if __name__ == "__main__":
    main()
