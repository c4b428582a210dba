// swift-tools-version:6.0
import PackageDescription

// Each C library is wrapped exactly once, in its own module (ClickHouseHTTP, LibPQ,
// JetStream); the C modules are imported nowhere else, so no C pointer leaks out.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("StrictConcurrency"),
]

let package = Package(
    name: "projection",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "projection-ingest", targets: ["IngestMain"]),
        .executable(name: "projection-migrate", targets: ["Migrate"]),
        .executable(name: "projection-query", targets: ["QueryAPI"]),
        .executable(name: "projection-bench", targets: ["Bench"]),
        .executable(name: "projection-decode-bench", targets: ["DecodeBench"]),
        .library(name: "Columnstore", targets: ["Columnstore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        // C libraries from Debian, through pkg-config.
        .systemLibrary(name: "CNATS", pkgConfig: "libnats", providers: [.apt(["libnats-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // curl_easy_setopt is variadic; Swift needs typed C shims to call it.
        .target(name: "CCurlShims", dependencies: ["CCurl"], linkerSettings: [.linkedLibrary("z")]),

        // One Swift wrapper per C library.
        .target(
            name: "ClickHouseHTTP",
            dependencies: ["CCurl", "CCurlShims", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LibPQ",
            dependencies: ["CLibPQ", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "JetStream",
            dependencies: ["CNATS", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),

        // Schema model, store abstraction and both backends.
        .target(
            name: "Columnstore",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // One module per backend: its store, query executor and pool, migration backend, state hash
        // reader and rebuilder. Columnstore, the core they build on, links no C library.
        .target(
            name: "ClickHouseBackend",
            dependencies: ["Columnstore", "ClickHouseHTTP", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PostgresBackend",
            dependencies: ["Columnstore", "LibPQ", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // Where a store kind becomes a backend, for every executable.
        .target(
            name: "StoreBackends",
            dependencies: ["Columnstore", "ClickHouseBackend", "PostgresBackend", "ClickHouseHTTP", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),

        // Connection guards both HTTP servers share (the header read timeout).
        .target(
            name: "HTTPGuards",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),

        // Fact decoding and mapping (pure, no I/O): a library so `projection-decode-bench` can
        // measure the ingest's hot path without linking the ingest's server stack.
        .target(
            name: "IngestFacts",
            dependencies: ["Columnstore"],
            swiftSettings: swiftSettings
        ),

        // The ingest pipeline and its server, as a library: the executable is `IngestMain`, and
        // `IngestTestKit` drives the pipeline through in-memory fakes of its message source and store.
        .target(
            name: "Ingest",
            dependencies: [
                "Columnstore", "StoreBackends", "IngestFacts", "JetStream", "HTTPGuards",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "IngestMain",
            dependencies: ["Ingest", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        // In-memory message source and store (akka-projection's test kit): the pipeline without servers.
        .target(
            name: "IngestTestKit",
            dependencies: ["Ingest", "Columnstore"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Migrate",
            dependencies: [
                "Columnstore", "StoreBackends",
                "JetStream",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "QueryAPI",
            dependencies: [
                "Columnstore", "StoreBackends", "ClickHouseHTTP", "HTTPGuards",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Benchmark drivers for bench/ (raw limits, publishing, query load); not shipped.
        .executableTarget(
            name: "Bench",
            dependencies: [
                "Columnstore", "StoreBackends", "ClickHouseBackend", "PostgresBackend", "JetStream", "ClickHouseHTTP", "LibPQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // Decode + map alone, synchronous, for callgrind (docs/BENCHMARKS.md); not shipped.
        .executableTarget(
            name: "DecodeBench",
            dependencies: ["Columnstore", "IngestFacts", "ClickHouseBackend", "PostgresBackend"],
            swiftSettings: swiftSettings
        ),

        // Pure logic, no I/O.
        .testTarget(
            name: "ColumnstoreTests",
            dependencies: ["Columnstore", "ClickHouseBackend", "PostgresBackend", "ClickHouseHTTP", "LibPQ", "Ingest", "Migrate", "QueryAPI", "IngestTestKit"],
            swiftSettings: swiftSettings
        ),
        // The Ingest and IngestFacts modules: the state machines and mapping, and the real pipeline driven
        // through IngestTestKit's fakes. No servers.
        .testTarget(
            name: "IngestTests",
            dependencies: ["Ingest", "IngestTestKit", "Columnstore", "IngestFacts", "JetStream",
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Prometheus", package: "swift-prometheus")],
            swiftSettings: swiftSettings
        ),
        // The QueryAPI module: Connect protocol, codecs, catalog, OpenAPI. No servers.
        .testTarget(
            name: "QueryAPITests",
            dependencies: ["QueryAPI", "Columnstore", "JetStream", "HTTPGuards", "IngestTestKit"],
            swiftSettings: swiftSettings
        ),
        // The C-library wrappers' pure parts (DSNs, errors, encodings). No servers.
        .testTarget(
            name: "ClientLibraryTests",
            dependencies: ["ClickHouseHTTP", "LibPQ", "JetStream", "Columnstore", "IngestTestKit"],
            swiftSettings: swiftSettings
        ),
        // Against the real dev stack (dev/stack up); hosts from env, defaults match the stack.
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Columnstore", "StoreBackends", "ClickHouseBackend", "PostgresBackend", "ClickHouseHTTP", "LibPQ", "JetStream", "Ingest", "IngestTestKit", "Migrate", "QueryAPI",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v5]
)
