// swift-tools-version: 6.2
import PackageDescription

// tools/fuzz builds with TRACE_FUZZ=1 (in .build-fuzz): our own modules get libFuzzer's coverage
// and AddressSanitizer, and the trace-fuzz program is added. The default build never sees either.
let fuzzing = Context.environment["TRACE_FUZZ"] == "1"

// One set of settings for every target, so every module reads the same way.
let swiftSettings: [SwiftSetting] =
    [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ] + (fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"])] : [])

let package = Package(
    name: "trace",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "trace", targets: ["trace"]),
        .library(name: "TraceLedger", targets: ["TraceLedger"]),
        .library(name: "TraceLedgerSQLite", targets: ["TraceLedgerSQLite"]),
        .library(name: "TraceClient", targets: ["TraceClient"]),
    ],
    // PostgreSQL is opt-in (`swift build --traits Postgres`): the default build never compiles
    // postgres-nio, and TraceLedgerPostgres is then an empty module.
    traits: [.trait(name: "Postgres", description: "The PostgreSQL ledger store on postgres-nio (postgres:// ledgers).")],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // libsodium verifies Ed25519 about twice as fast as libcrypto here (STYLE.md); libcrypto
        // keeps PKCS#8 key files, signing and hashing.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(name: "TraceCrypto", dependencies: ["COpenSSL", "CSodium"], swiftSettings: swiftSettings),
        .systemLibrary(
            name: "CQRencode",
            pkgConfig: "libqrencode",
            providers: [.apt(["libqrencode-dev"])]
        ),
        .target(name: "QRCode", dependencies: ["CQRencode"], swiftSettings: swiftSettings),
        .target(name: "CanonicalJSON", swiftSettings: swiftSettings),
        // The ledger and its store seam (with the memory store); no database here.
        .target(name: "TraceLedger", dependencies: ["TraceCrypto", "CanonicalJSON"], swiftSettings: swiftSettings),
        // The embedded default store: the only target that imports GRDB.
        .target(
            name: "TraceLedgerSQLite",
            dependencies: ["TraceLedger", "TraceCrypto", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // The PostgreSQL store, compiled only with the Postgres trait: the only target that imports PostgresNIO.
        .target(
            name: "TraceLedgerPostgres",
            dependencies: [
                "TraceLedger", "TraceCrypto",
                .product(name: "PostgresNIO", package: "postgres-nio", condition: .when(traits: ["Postgres"])),
                .product(name: "NIOCore", package: "swift-nio", condition: .when(traits: ["Postgres"])),
                .product(name: "NIOPosix", package: "swift-nio", condition: .when(traits: ["Postgres"])),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio", condition: .when(traits: ["Postgres"])),
                .product(name: "Logging", package: "swift-log", condition: .when(traits: ["Postgres"])),
            ],
            swiftSettings: swiftSettings
        ),
        // Chooses the store from a --ledger value: a file path (SQLite) or a postgres:// URL.
        .target(
            name: "TraceLedgerStores",
            dependencies: ["TraceLedger", "TraceCrypto", "TraceLedgerSQLite", "TraceLedgerPostgres"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TraceDomain", dependencies: ["TraceLedger", "TraceCrypto", "CanonicalJSON"], swiftSettings: swiftSettings),
        .target(
            name: "TraceCertificates",
            dependencies: ["TraceDomain", "TraceLedger", "TraceCrypto", "CanonicalJSON", "QRCode"],
            swiftSettings: swiftSettings
        ),
        // GS1 EPCIS 2.0: CBV 2.0 event hash IDs, export and import mapping (docs/EPCIS.md).
        .target(
            name: "TraceEPCIS",
            dependencies: ["TraceDomain", "TraceLedger", "TraceCrypto", "CanonicalJSON"],
            swiftSettings: swiftSettings
        ),
        // The HTTP API and the buyer's page: thin, like the CLI, over TraceCertificates and TraceDomain.
        .target(
            name: "TraceServer",
            dependencies: [
                "TraceCertificates", "TraceDomain", "TraceLedger", "TraceLedgerSQLite", "TraceLedgerStores", "TraceCrypto",
                "CanonicalJSON", "TraceEPCIS", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // Talks to a `trace serve`: signed writes, checked answers. The CLI's --server uses it.
        .target(
            name: "TraceClient",
            dependencies: ["TraceCertificates", "TraceDomain", "TraceLedger", "TraceCrypto", "CanonicalJSON"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "trace",
            dependencies: [
                "TraceClient", "TraceCertificates", "TraceDomain", "TraceLedger", "TraceLedgerSQLite", "TraceLedgerStores",
                "TraceCrypto", "CanonicalJSON", "TraceServer", "TraceEPCIS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "TraceBench",
            dependencies: [
                "TraceDomain", "TraceLedger", "TraceLedgerSQLite", "TraceLedgerStores", "TraceCrypto", "CanonicalJSON",
            ],
            swiftSettings: swiftSettings
        ),
        // The property each parser of outside input must hold (one FuzzTarget per parser), built in every
        // configuration: the test suite replays the seed corpus and mutations of it through them, and
        // trace-fuzz (TRACE_FUZZ=1 only) runs them under libFuzzer.
        .target(
            name: "TraceFuzzTargets",
            dependencies: [
                "CanonicalJSON", "TraceCrypto", "TraceLedger", "TraceDomain", "TraceCertificates", "TraceServer", "TraceEPCIS",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings),
        // Helpers shared by the test targets (running the real binaries, scratch folders).
        .target(
            name: "TestSupport",
            dependencies: [
                "TraceDomain", "TraceLedger", "TraceLedgerSQLite", "TraceLedgerPostgres", "TraceLedgerStores", "TraceCrypto",
                "CanonicalJSON",
            ],
            swiftSettings: swiftSettings),
        // A small supply chain built through the library, shared by the domain and certificate tests.
        .target(
            name: "ChainFixtures",
            dependencies: ["TraceDomain", "TraceLedger", "TraceLedgerSQLite", "TraceCrypto", "CanonicalJSON", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TraceCryptoTests", dependencies: ["TraceCrypto", "TestSupport"],
            resources: [.copy("Vectors")], swiftSettings: swiftSettings),
        .testTarget(
            name: "CanonicalJSONTests", dependencies: ["CanonicalJSON", "TestSupport"],
            resources: [.copy("Vectors")], swiftSettings: swiftSettings),
        .testTarget(
            name: "TraceLedgerTests",
            dependencies: [
                "TraceLedger", "TraceLedgerSQLite", "TraceCrypto", "CanonicalJSON", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            resources: [.copy("Vectors")], swiftSettings: swiftSettings),
        .testTarget(
            name: "TraceDomainTests",
            dependencies: [
                "ChainFixtures", "TraceDomain", "TraceLedger", "TraceLedgerSQLite", "TraceCrypto", "CanonicalJSON",
                "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TraceCertificatesTests",
            dependencies: [
                "ChainFixtures", "TraceCertificates", "QRCode", "TraceDomain", "TraceLedger", "TraceLedgerSQLite", "TraceCrypto",
                "CanonicalJSON", "TestSupport",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TraceEPCISTests",
            dependencies: ["ChainFixtures", "TraceEPCIS", "TraceDomain", "TraceLedger", "CanonicalJSON", "TestSupport"],
            resources: [.copy("Vectors")], swiftSettings: swiftSettings),
        .testTarget(
            name: "TraceCLITests",
            dependencies: [
                "trace", "TraceLedger", "TraceLedgerSQLite", "TraceCrypto", "CanonicalJSON", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            resources: [.copy("Interop"), .copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "TraceClientTests",
            dependencies: [
                "trace", "TraceClient", "TraceDomain", "TraceLedger", "TraceCrypto", "CanonicalJSON", "TestSupport",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TraceServerTests",
            dependencies: [
                "trace", "ChainFixtures", "TraceDomain", "TraceLedger", "TraceLedgerSQLite", "TraceCrypto", "CanonicalJSON",
                "TestSupport", "TraceServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TraceFuzzTests", dependencies: ["TraceFuzzTargets", "TraceCrypto", "TestSupport"],
            swiftSettings: swiftSettings),
    ]
)

if fuzzing {
    package.products.append(.executable(name: "trace-fuzz", targets: ["TraceFuzz"]))
    package.targets += [
        .systemLibrary(name: "CLibFuzzer"),
        // Every parser of outside input under libFuzzer (tools/fuzz, docs/RELIABILITY.md): a thin
        // program over TraceFuzzTargets that turns a broken property into the crash libFuzzer records.
        .executableTarget(
            name: "TraceFuzz",
            dependencies: ["CLibFuzzer", "TraceFuzzTargets"],
            swiftSettings: swiftSettings + [.unsafeFlags(["-parse-as-library"])],
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])]),
    ]
}
