import CanonicalJSON
import ChainFixtures
import TestSupport
import Testing
import TraceDomain
import TraceLedger

/// On PostgreSQL every read is a round trip to the server: a lot's story must be read in batches,
/// so its cost in round trips does not grow with the number of entries in it.
@Suite(.enabled(if: StoreKind.postgresURL != nil, Comment(rawValue: StoreKind.postgresSkipReason ?? "")))
struct StoryRoundTripTests {
    /// Round trips for a buyer's check of `lot`, on a freshly opened ledger (nothing cached), and
    /// how many entries the story held.
    static func verifyLot(_ f: ChainFixture, _ lot: String) throws -> (roundTrips: Int, entries: Int) {
        let chain = try SupplyChain(ledger: try f.reopen())
        let before = try #require(StoreKind.roundTrips(of: chain.ledger.store))
        let verification = try LotVerifier(chain: chain).verify(lot: lot)
        #expect(verification.ok, "\(String(describing: verification.failure))")
        let after = try #require(StoreKind.roundTrips(of: chain.ledger.store))
        return (after - before, verification.entries.count)
    }

    @Test func aLongStoryCostsTheRoundTripsOfAShortOne() throws {
        let f = try ChainFixture(store: .postgres)
        try f.harvest("SHORT-1")
        try f.harvest("LONG-1")
        // Twenty custody changes: twenty more entries on the same level of the story.
        for _ in 0..<10 {
            try f.submit("htx-tan-lap", "ship", ["lot": "LONG-1", "to": "nha-may-xay-xat"])
            try f.submit("nha-may-xay-xat", "receive", ["lot": "LONG-1"])
            try f.submit("nha-may-xay-xat", "ship", ["lot": "LONG-1", "to": "htx-tan-lap"])
            try f.submit("htx-tan-lap", "receive", ["lot": "LONG-1"])
        }
        _ = try f.chain.ledger.checkpoint(signingWith: f.operatorKey)
        let short = try Self.verifyLot(f, "SHORT-1")
        let long = try Self.verifyLot(f, "LONG-1")
        #expect(long.entries >= short.entries + 40)
        #expect(long.roundTrips == short.roundTrips, "short story: \(short), long story: \(long)")
        // A handful for the whole check: the checkpoint, the lot, each level's records and
        // entries, the plots, the story's entries and its proofs' nodes.
        #expect(short.roundTrips <= 16, "\(short)")
    }

    /// Round trips for one batch of `count` harvests of new lots, in one `submit`.
    static func harvestBatch(_ f: ChainFixture, _ prefix: String, _ count: Int) throws -> Int {
        let key = try #require(f.keys["htx-tan-lap"])
        let events = try (0..<count).map { n in
            try f.chain.sign(
                SupplyChain.event(
                    "harvest", actor: "htx-tan-lap",
                    [
                        "lot": .string("\(prefix)-\(n)"), "product": "Lúa ST25", "quantity": "1200", "unit": "kg",
                        "plot": "P-001", "harvested": "2026-07-01",
                    ]), with: key)
        }
        let before = try #require(StoreKind.roundTrips(of: f.chain.ledger.store))
        _ = try f.chain.submit(events)
        return try #require(StoreKind.roundTrips(of: f.chain.ledger.store)) - before
    }

    @Test func aBatchLooksUpTheRecordsItTouchesInOneGo() throws {
        let f = try ChainFixture(store: .postgres)
        try f.harvest("WARM-1")
        let small = try Self.harvestBatch(f, "SMALL", 2)
        let large = try Self.harvestBatch(f, "LARGE", 30)
        #expect(large == small, "2 harvests: \(small) round trips, 30 harvests: \(large)")
    }
}
