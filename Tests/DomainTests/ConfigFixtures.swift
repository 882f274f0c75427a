/// DM's shard-DDL integration fixture (dm-reference §3.0), written as DM users write it.
enum ConfigFixtures {
    static let source1 = """
        # DM tests/_utils: source1.yaml
        source-id: mysql-replica-01
        flavor: ''
        enable-gtid: false
        enable-relay: false
        server-id: 123456
        from:
          host: 127.0.0.1
          user: root
          password: '123456'
          port: 3306
        """

    static let source2Relay = """
        source-id: mysql-replica-02
        flavor: mariadb
        enable-gtid: true
        enable-relay: true
        relay-binlog-name: ''
        from:
          host: 127.0.0.1
          user: root
          password: 'secret-pw'
          port: 3307
        purge:
          interval: 3600
          expires: 0
        checker:
          check-enable: true
        """

    static let doubleSourcePessimistic = """
        ---
        name: test
        task-mode: all
        is-sharding: true
        shard-mode: "pessimistic"
        meta-schema: "dm_meta"
        ignore-checking-items: ["all"]

        target-database:
          host: "127.0.0.1"
          port: 4000
          user: "test"
          password: "/Q7B9DizNLLTTfiZHv9WoEAKamfpIUs="

        mysql-instances:
          - source-id: "mysql-replica-01"
            block-allow-list:  "instance"
            route-rules: ["sharding-table-rules","sharding-schema-rules"]
            mydumper-config-name: "global"
            loader-config-name: "global"
            syncer-config-name: "global"
          - source-id: "mysql-replica-02"
            block-allow-list:  "instance"
            route-rules: ["sharding-table-rules","sharding-schema-rules"]
            mydumper-config-name: "global"
            loader-config-name: "global"
            syncer-config-name: "global"
            meta:
              binlog-name: mysql-bin.000001
              binlog-pos: 1234

        block-allow-list:
          instance:
            do-dbs: ["shardddl1","shardddl2"]
            do-tables:
              - db-name: shardddl1
                tbl-name: tb1

        routes:
          sharding-table-rules:
            schema-pattern: "shardddl*"
            target-schema: "shardddl"
            table-pattern: "tb*"
            target-table: "tb"
          sharding-schema-rules:
            schema-pattern: "shardddl*"
            target-schema: "shardddl"

        filters:
          no-truncate:
            schema-pattern: "shardddl*"
            events: ["truncate table"]
            action: Ignore

        mydumpers:
          global:
            threads: 4
            chunk-filesize: 64
            rows: 10000
            skip-tz-utc: true
            extra-args: ""

        loaders:
          global:
            pool-size: 16
            dir: "./dumped_data"

        syncers:
          global:
            worker-count: 16
            batch: 100
            safe-mode-duration: "1m30s"
        """

    /// A task as DM's `get-config task` / `config export` writes it back: every key spelled out, the
    /// legacy `black-white-list: ""` next to `block-allow-list`, defaults as `false`/`0`/`[]`/`null`, the
    /// password masked. (Composed for Braid in the shape DM v6/v7 exports; names and values are ours.)
    static let dmExportedTask = """
        name: orders
        task-mode: all
        is-sharding: true
        shard-mode: pessimistic
        ignore-checking-items: []
        meta-schema: dm_meta
        enable-heartbeat: false
        heartbeat-update-interval: 1
        heartbeat-report-interval: 10
        timezone: ""
        case-sensitive: false
        collation_compatible: loose
        target-database:
          host: 10.0.0.9
          port: 3306
          user: braid
          password: '******'
          max-allowed-packet: null
          session: {}
          security: null
        mysql-instances:
        - source-id: shard-a
          meta: null
          filter-rules:
          - keep-dml
          - refuse-drop
          column-mapping-rules: []
          route-rules:
          - orders-merge
          expression-filters: []
          black-white-list: ""
          block-allow-list: orders-only
          mydumper-config-name: dump-main
          mydumper: null
          mydumper-thread: 0
          loader-config-name: load-main
          loader: null
          loader-thread: 0
          syncer-config-name: sync-main
          syncer: null
          syncer-thread: 0
          continuous-validator-config-name: check-main
        - source-id: shard-b
          meta:
            binlog-name: mariadb-bin.000004
            binlog-pos: 812
            binlog-gtid: ""
          filter-rules:
          - keep-dml
          - refuse-drop
          column-mapping-rules: []
          route-rules:
          - orders-merge
          expression-filters: []
          black-white-list: ""
          block-allow-list: orders-only
          mydumper-config-name: dump-main
          mydumper: null
          mydumper-thread: 0
          loader-config-name: load-main
          loader: null
          loader-thread: 0
          syncer-config-name: sync-main
          syncer: null
          syncer-thread: 0
          continuous-validator-config-name: check-main
        online-ddl: true
        shadow-table-rules: []
        trash-table-rules: []
        online-ddl-scheme: ""
        routes:
          orders-merge:
            schema-pattern: shop_*
            table-pattern: orders_*
            target-schema: shop
            target-table: orders
        filters:
          keep-dml:
            schema-pattern: shop_*
            table-pattern: ""
            events:
            - all dml
            - create table
            sql-pattern: []
            action: Do
          refuse-drop:
            schema-pattern: shop_*
            table-pattern: orders_*
            events:
            - drop table
            - truncate table
            sql-pattern: []
            action: Error
        column-mappings: {}
        expression-filter: {}
        black-white-list: {}
        block-allow-list:
          orders-only:
            do-tables:
            - db-name: shop_*
              tbl-name: orders_*
            do-dbs:
            - ~^shop_[0-9]+
            ignore-tables: []
            ignore-dbs: []
        mydumpers:
          dump-main:
            mydumper-path: ./bin/mydumper
            threads: 8
            chunk-filesize: "32"
            statement-size: 0
            rows: 0
            where: ""
            skip-tz-utc: true
            extra-args: ""
        loaders:
          load-main:
            pool-size: 8
            dir: ./dumped
            sorting-dir: ./dumped.sorting
            import-mode: logical
            on-duplicate: ""
            on-duplicate-logical: replace
            on-duplicate-physical: none
            disk-quota: 0
            checksum: required
            analyze: optional
            range-concurrency: 0
            compress-kv-pairs: ""
            pd-addr: ""
        syncers:
          sync-main:
            meta-file: ""
            worker-count: 8
            batch: 200
            queue-size: 1024
            checkpoint-flush-interval: 1
            compact: false
            multiple-rows: false
            max-retry: 0
            auto-fix-gtid: false
            enable-gtid: false
            disable-detect: false
            safe-mode: false
            safe-mode-duration: 60s
            enable-ansi-quotes: false
        validators:
          check-main:
            mode: none
            worker-count: 4
        clean-dump-file: true
        ansi-quotes: false
        remove-meta: false
        experimental:
          async-checkpoint-flush: false
        """
}
