// swift-tools-version:6.1
import PackageDescription

// Dependencies point down only: hotline → HotlineApp → (HotlineChannels, HotlineStorage, HotlineConfig) → HotlineCore.
let package = Package(
    name: "StudioHotline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hotline", targets: ["hotline"]),
        .executable(name: "hotline-bench", targets: ["HotlineBench"]),
        .executable(name: "hotline-fuzz", targets: ["hotline-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Yams: the config and rule table are YAML with comments; Yams gives node line numbers for file:line errors.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // swift-crypto: HMAC-SHA256/SHA1 for webhook signatures (Foundation on Linux has no CryptoKit).
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // swift-metrics (already under Hummingbird) with the Prometheus backend: GET /metrics in the
        // Prometheus text format without writing an exposition format of our own.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // hummingbird-auth for its bcrypt (a maintained, slow, salted password hash; not ours to write).
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        // swift-mustache: the dashboard's pages as logic-less templates rendered by the server.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .target(
            name: "HotlineCore",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "HotlineConfig",
            dependencies: ["HotlineCore", "HotlineChannels", .product(name: "Yams", package: "Yams")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "HotlineStorage",
            dependencies: [
                "HotlineCore", .product(name: "GRDB", package: "GRDB.swift"),
                // HMAC-SHA256: a forgotten resident's opt-out is kept as a keyed digest (OptOutDigests).
                .product(name: "Crypto", package: "swift-crypto"),
                // SQLite's C API, for binding intake's INSERTs in place (BoundStatement.swift).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                "CSQLiteSetup",
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // sqlite3_config, which Swift cannot call (variadic): SQLite's settings made before its first connection.
        .target(name: "CSQLiteSetup", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(
            name: "HotlineChannels",
            dependencies: [
                "HotlineCore", .product(name: "Crypto", package: "swift-crypto"),
                // AES-CBC for WeChat's safe mode (the same package as Crypto).
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "HotlineApp",
            dependencies: [
                "HotlineCore", "HotlineConfig", "HotlineStorage", "HotlineChannels",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                // Its BcryptPasswordVerifier checks a password on NIO's thread pool, off the request's thread.
                .product(name: "HummingbirdBasicAuth", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // The admin API's contract and the dashboard's templates and assets, compiled into the
            // binary: a studio's machine may be offline, so hotline serves every asset itself.
            resources: [
                .embedInCode("openapi.yaml"),
                .embedInCode("Dashboard/layout.mustache"), .embedInCode("Dashboard/login.mustache"), .embedInCode("Dashboard/today.mustache"),
                .embedInCode("Dashboard/cases.mustache"), .embedInCode("Dashboard/case.mustache"), .embedInCode("Dashboard/members.mustache"),
                .embedInCode("Dashboard/notices.mustache"), .embedInCode("Dashboard/notice.mustache"), .embedInCode("Dashboard/reports.mustache"),
                .embedInCode("Dashboard/resident.mustache"),
                .embedInCode("Dashboard/dashboard.css"), .embedInCode("Dashboard/dashboard.js"), .embedInCode("Dashboard/subscribe.js"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "hotline",
            dependencies: [
                "HotlineApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // The fuzz targets (what each parser is fed) and the binary libFuzzer drives: Tests/Fuzz/run.
        .target(
            name: "HotlineFuzz",
            dependencies: ["HotlineCore", "HotlineChannels", "HotlineConfig"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // libFuzzer's driver declared for Swift (linked in by -sanitize=fuzzer).
        .target(name: "CFuzzDriver"),
        .executableTarget(name: "hotline-fuzz", dependencies: ["HotlineFuzz", "CFuzzDriver"], swiftSettings: [.swiftLanguageMode(.v6)]),
        // Running real Kannel beside hotline: shared by the end-to-end tests and the benchmark command.
        .target(name: "HotlineTestSupport", swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(
            name: "HotlineBench",
            dependencies: [
                "HotlineCore", "HotlineConfig", "HotlineStorage", "HotlineApp", "HotlineChannels", "HotlineTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                // No GRDB: the benchmarks seed and count through storage's door, like everything else.
                // The dispatch benchmark's trivial sendsms client.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(name: "HotlineCoreTests", dependencies: ["HotlineCore"]),
        .testTarget(name: "HotlineConfigTests", dependencies: ["HotlineConfig"]),
        // The fuzz targets' corpora (seeds and every crash found) replayed: a crash fixed stays fixed.
        .testTarget(name: "HotlineFuzzTests", dependencies: ["HotlineFuzz"]),
        .testTarget(name: "HotlineStorageTests", dependencies: ["HotlineStorage", "HotlineTestSupport"]),
        // The gateways' adapters on their own: parse, verify, build requests, read answers (no server).
        .testTarget(name: "HotlineChannelsTests", dependencies: ["HotlineChannels", "HotlineCore", "HotlineTestSupport"]),
        .testTarget(
            name: "HotlineAppTests",
            dependencies: [
                "HotlineApp", "HotlineTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // A log handler that keeps what a service logged, for the tests to read.
                .product(name: "Logging", package: "swift-log"),
                // Reads the OpenAPI document to hold its paths and the router's routes equal.
                .product(name: "Yams", package: "Yams"),
                // Runs the outbox dispatcher as `hotline serve` does, shutdown included.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "HotlineEndToEndTests", dependencies: ["HotlineCore", "HotlineTestSupport"]),
    ]
)
