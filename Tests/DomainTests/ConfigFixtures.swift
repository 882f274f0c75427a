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
}
