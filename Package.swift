// swift-tools-version: 6.0
import PackageDescription

/// The simulator's sweep runs inside `swift test` (a debug build): the core and the simulator are
/// compiled with optimisation there too, or a 48-node sweep would take an hour instead of minutes.
let optimisedEvenInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "mms",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mms", targets: ["mms"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
    ],
    targets: [
        // libsodium from the system (apt: libsodium-dev): Ed25519, BLAKE2b, Argon2id, secretbox.
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        // Thin, safe wrappers over libsodium. Pure functions over bytes, plus the OS random source.
        .target(name: "MMSCrypto", dependencies: ["CSodium"]),
        // The sans-I/O core: money, ops, HLC, version vectors, CRDT deltas, escrow and till rules.
        .target(name: "MMSCore", dependencies: [
            "MMSCrypto",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], swiftSettings: optimisedEvenInDebug),
        // The node's SQLite store: migrations, op log, materialised CRDT state, replication API.
        .target(name: "MMSStore", dependencies: [
            "MMSCore", "MMSCrypto",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        // The chain's topology file: nodes, roles, regions, addresses, peers, limits, escrow policy.
        .target(name: "MMSTopology", dependencies: ["MMSCore", .product(name: "TOMLKit", package: "TOMLKit")]),
        // The chain's own CA: node certificates whose subject is the topology id (swift-certificates).
        .target(name: "MMSCerts", dependencies: [
            "MMSCore", "MMSTopology",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        // Peer transport (SwiftNIO): length-prefixed frames with a size limit, sync message codec.
        .target(name: "MMSNet", dependencies: [
            "MMSCore", "MMSCrypto", "MMSCerts",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "X509", package: "swift-certificates"),
        ]),
        // PC/SC through libpcsclite loaded at run time: no build-time dependency on the library.
        .target(name: "CPCSC", linkerSettings: [.linkedLibrary("dl")]),
        // The counter's hardware: card readers (magnetic stripe, keyboard wedge, serial, PC/SC) and
        // ESC/POS receipt printers (layout, bytes, transports, a durable queue). No business rules.
        .target(name: "MMSDevices", dependencies: ["CPCSC"]),
        // The cashier's terminal till: a state machine over the till API (no rules of its own), drawn
        // with ANSI escapes on a raw terminal, fed by the readers and printing through the queue.
        .target(name: "MMSTill", dependencies: [
            "MMSDevices", "MMSNode", "MMSCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // One node on one machine: data directory, keys and secrets, till requests with idempotency.
        .target(name: "MMSNode", dependencies: ["MMSCore", "MMSCrypto", "MMSStore"]),
        // Measurements beside this machine's physical limits (`mms bench`); never assertions in tests.
        .target(name: "MMSBench", dependencies: [
            "MMSNode", "MMSStore", "MMSCore", "MMSCrypto", "MMSServer", "MMSTopology", "MMSCerts", "MMSTillAPI", "MMSDevices",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // A node on the network: provisioning from certs/, the gossip server and its peer links.
        .target(name: "MMSServer", dependencies: [
            "MMSNode", "MMSNet", "MMSStore", "MMSCore", "MMSCrypto", "MMSTopology", "MMSCerts",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // The till API: HTTPS (Hummingbird 2) in front of the application layer, with operators'
        // sessions, roles and idempotency keys; its OpenAPI document is the contract. Beside it on
        // the same address, the console and the member's page (server-rendered, swift-mustache).
        .target(name: "MMSTillAPI", dependencies: [
            "MMSNode", "MMSCore", "MMSCrypto", "MMSStore",
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "MultipartKit", package: "multipart-kit"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // `mms mirror postgres`: head office's report tables copied into PostgreSQL (postgres-nio) for BI tools.
        .target(name: "MMSMirror", dependencies: [
            "MMSStore", "MMSCore", "MMSCrypto",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The partition simulator (`mms sim`): the core's replicas and sessions over a simulated
        // network and clock, seeded faults, a chain workload, and the invariant checkers.
        .target(name: "MMSSimulator", dependencies: ["MMSCore", "MMSCrypto", "MMSStore"], path: "simulator/Sources/MMSSimulator",
                swiftSettings: optimisedEvenInDebug),
        // `mms sim --live`: real node processes, a fault proxy on every link, the same checks.
        .target(name: "MMSLive", dependencies: [
            "MMSSimulator", "MMSServer", "MMSTopology", "MMSCerts", "MMSCore", "MMSCrypto",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ], path: "simulator/Sources/MMSLive"),
        // The command line: parses, calls MMSNode, prints. Thin.
        .executableTarget(name: "mms", dependencies: [
            "MMSNode", "MMSCore", "MMSBench", "MMSTopology", "MMSCerts", "MMSServer", "MMSStore", "MMSSimulator", "MMSLive", "MMSTillAPI", "MMSTill", "MMSDevices", "MMSMirror",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Shared by the test targets: seeded randomness, in-memory test nodes, a chain-shaped workload.
        .target(name: "MMSTestSupport", dependencies: ["MMSCore", "MMSCrypto"], path: "Tests/Support"),
        .testTarget(name: "MMSCoreTests", dependencies: [
            "MMSCore", "MMSCrypto", "MMSTestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "MMSStoreTests", dependencies: [
            "MMSStore", "MMSCore", "MMSCrypto", "MMSTestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "MMSTopologyTests", dependencies: ["MMSTopology", "MMSCore"]),
        .testTarget(name: "MMSNetTests", dependencies: [
            "MMSNet", "MMSCore", "MMSCrypto", "MMSTestSupport", "MMSCerts", "MMSTopology", "MMSStore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .testTarget(name: "MMSCertsTests", dependencies: [
            "MMSCerts", "MMSTopology", "MMSCore",
            .product(name: "X509", package: "swift-certificates"),
        ]),
        .testTarget(name: "MMSSimulatorTests", dependencies: ["MMSSimulator"]),
        .testTarget(name: "MMSNodeTests", dependencies: ["MMSNode", "MMSStore", "MMSCore", "MMSTopology", "MMSTestSupport"]),
        .testTarget(name: "MMSDevicesTests", dependencies: ["MMSDevices", "MMSTill", "MMSNode", "MMSTestSupport"]),
        .testTarget(name: "MMSTillAPITests", dependencies: [
            "MMSTillAPI", "MMSNode", "MMSCore", "MMSCrypto", "MMSTopology",
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
    ]
)
