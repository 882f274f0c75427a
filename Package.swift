// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Braid",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "braid", targets: ["BraidCLI"]),
        .library(name: "BraidEngine", targets: ["EventLog", "Domain", "Schema", "Pessimism", "Optimism", "Scheduling", "Projections", "LogTools"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // MARK: C shims
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .target(name: "CCRC32C"),
        .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb", providers: [.apt(["libmariadb-dev"])]),

        // MARK: Storage and vocabulary
        .target(name: "BinaryCoding"),
        .target(name: "EventLog", dependencies: ["CLMDB", "CCRC32C"]),
        .target(name: "Schema", dependencies: ["BinaryCoding"]),
        .target(name: "Domain", dependencies: ["BinaryCoding", "Schema", "Yams"]),

        // MARK: Pure deciders
        .target(name: "Pessimism", dependencies: ["Domain"]),
        .target(name: "Optimism", dependencies: ["Domain", "Schema"]),
        .target(name: "Scheduling", dependencies: ["Domain"]),

        // MARK: Folds and tools
        .target(name: "Projections", dependencies: ["Domain", "Pessimism", "Optimism", "Scheduling", "EventLog", "BinaryCoding"]),
        .target(name: "LogTools", dependencies: ["Projections", "Leader", "EventLog", "Domain"]),

        // MARK: Leadership and HA (issue 10)
        /// The leader loop (`EngineHost`) and the `Elector` that decides when it runs.
        .target(name: "Leader", dependencies: ["Projections", "Domain", "EventLog"]),
        /// etcd 3.4's v3 JSON gateway over async-http-client: KV, txn, leases, watch, maintenance.
        .target(name: "Etcd", dependencies: [
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        /// HA on etcd: the election, the fenced etcd-replicated log and its LMDB mirror.
        .target(name: "HA", dependencies: [
            "Etcd", "EventLog", "Leader", "Projections", "Domain",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // MARK: Data plane (issue 4)
        /// libmariadb: connections, queries, transactions, the binlog stream and a Swift row decoder.
        .target(name: "MySQLClient", dependencies: ["CMariaDB"]),
        /// The subtask pipeline: route and filter, schema tracking, shard coordination, apply, checkpoints.
        .target(name: "Replication", dependencies: ["MySQLClient", "Domain", "Schema", .product(name: "Logging", package: "swift-log")]),

        // MARK: Daemons (issue 3)
        /// openapi.yaml and the generated types, server stubs and client.
        .target(
            name: "API",
            dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            resources: [.copy("openapi.yaml")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .target(name: "Master", dependencies: [
            "API", "Projections", "Leader", "HA", "Etcd", "EventLog", "Domain", "Schema", "LogTools", "MySQLClient", "Replication",
            .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        /// The typed client every caller of the master uses: leader redirects, auth token, retries.
        .target(name: "MasterClient", dependencies: [
            "API",
            .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(name: "Worker", dependencies: [
            "MasterClient", "API", "Domain", "Schema", "Replication",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .target(name: "Ctl", dependencies: [
            "MasterClient", "API", "Domain", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "BraidCLI", dependencies: [
            "LogTools", "Master", "Worker", "Ctl",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        /// Test fixture: a child process that appends in a loop so crash tests can SIGKILL it.
        .executableTarget(name: "EventLogCrashFixture", dependencies: ["EventLog"]),

        // MARK: Benchmarks (run in release: `swift run -c release braid-bench all`)
        .executableTarget(name: "braid-bench", dependencies: ["EventLog", "Projections", "Leader", "HA", "Etcd", "Schema", "MySQLClient", "Domain", "Replication", .product(name: "Logging", package: "swift-log")], path: "benchmarks/BraidBench"),

        // MARK: Tests
        .target(name: "BraidTestSupport", dependencies: ["Domain", "Schema", "Pessimism", "Optimism", "Scheduling", "MySQLClient", "Etcd"], path: "Tests/BraidTestSupport"),
        .testTarget(name: "BinaryCodingTests", dependencies: ["BinaryCoding", "BraidTestSupport"]),
        .testTarget(name: "EventLogTests", dependencies: ["EventLog", "BraidTestSupport", "EventLogCrashFixture"]),
        .testTarget(name: "DomainTests", dependencies: ["Domain", "BraidTestSupport"], exclude: ["Golden"]),
        .testTarget(name: "SchemaTests", dependencies: ["Schema", "BraidTestSupport"]),
        .testTarget(name: "PessimismTests", dependencies: ["Pessimism", "BraidTestSupport"], exclude: ["Golden"]),
        .testTarget(name: "OptimismTests", dependencies: ["Optimism", "BraidTestSupport"], exclude: ["Golden"]),
        .testTarget(name: "SchedulingTests", dependencies: ["Scheduling", "BraidTestSupport"]),
        .testTarget(name: "MySQLClientTests", dependencies: ["MySQLClient", "BraidTestSupport"]),
        .testTarget(name: "ReplicationTests", dependencies: ["Replication", "MySQLClient", "Domain", "Schema", "BraidTestSupport"]),
        .testTarget(name: "ProjectionsTests", dependencies: ["Projections", "Leader", "BraidTestSupport"], exclude: ["Golden"]),
        .testTarget(name: "HATests", dependencies: ["HA", "Etcd", "Leader", "Projections", "EventLog", "Domain", "BraidTestSupport"]),
        .testTarget(name: "LogToolsTests", dependencies: ["LogTools", "BraidTestSupport"]),
        .testTarget(name: "MasterTests", dependencies: [
            "Master", "MasterClient", "Leader", "BraidTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "WorkerTests", dependencies: [
            "Worker", "Master", "MasterClient", "Ctl", "Leader", "BraidTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        /// Multi-process tests: real `braid master`/`braid worker`/`braid ctl` processes on loopback.
        .testTarget(name: "ClusterTests", dependencies: ["MasterClient", "Schema", "BraidTestSupport", "BraidCLI", "MySQLClient", "Etcd", "HA"]),
    ]
)

for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
