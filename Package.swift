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
    ],
    targets: [
        // MARK: C shims
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .target(name: "CCRC32C"),

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
        .target(name: "LogTools", dependencies: ["Projections", "EventLog", "Domain"]),
        .executableTarget(name: "BraidCLI", dependencies: [
            "LogTools", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        /// Test fixture: a child process that appends in a loop so crash tests can SIGKILL it.
        .executableTarget(name: "EventLogCrashFixture", dependencies: ["EventLog"]),

        // MARK: Benchmarks (run in release: `swift run -c release braid-bench all`)
        .executableTarget(name: "braid-bench", dependencies: ["EventLog", "Projections", "Schema"], path: "benchmarks/BraidBench"),

        // MARK: Tests
        .target(name: "BraidTestSupport", dependencies: ["Domain", "Schema", "Pessimism", "Optimism", "Scheduling"], path: "Tests/BraidTestSupport"),
        .testTarget(name: "BinaryCodingTests", dependencies: ["BinaryCoding", "BraidTestSupport"]),
        .testTarget(name: "EventLogTests", dependencies: ["EventLog", "BraidTestSupport", "EventLogCrashFixture"]),
        .testTarget(name: "DomainTests", dependencies: ["Domain", "BraidTestSupport"]),
        .testTarget(name: "SchemaTests", dependencies: ["Schema", "BraidTestSupport"]),
        .testTarget(name: "PessimismTests", dependencies: ["Pessimism", "BraidTestSupport"]),
        .testTarget(name: "OptimismTests", dependencies: ["Optimism", "BraidTestSupport"]),
        .testTarget(name: "SchedulingTests", dependencies: ["Scheduling", "BraidTestSupport"]),
        .testTarget(name: "ProjectionsTests", dependencies: ["Projections", "BraidTestSupport"]),
        .testTarget(name: "LogToolsTests", dependencies: ["LogTools", "BraidTestSupport"]),
    ]
)

for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
