import CanonicalJSON
import ChainFixtures
import Foundation
import GRDB
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger

/// The index beside the entries must always say what a full replay says.
struct IndexTests {
    static let lots = ["PADDY-A", "PADDY-B", "PADDY-C", "RICE-AB", "RICE-AB-1", "RICE-AB-2", "VOID-1"]

    func fixture() throws -> ChainFixture {
        let f = try RecallTests().chain()
        try f.submit("vietgap-cert", "recall", ["lot": "PADDY-B", "reason": "residue"])
        try f.harvest("VOID-1")
        try f.submit("htx-tan-lap", "void", ["entry": .int(Int(try f.size() - 1)), "reason": "typo"])
        return f
    }

    /// Every lot as a full replay sees it, and as `chain` sees it, encoded for comparison.
    func agree(_ chain: SupplyChain) throws {
        var replayed = DomainState()
        #expect(try SupplyChain.replay(chain.ledger, into: &replayed) == nil)
        #expect(chain.state.size == replayed.size)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for code in Self.lots {
            let a = try chain.state.lot(code).map { try encoder.encode($0) }
            let b = try replayed.lot(code).map { try encoder.encode($0) }
            #expect(a != nil && a == b, "lot \(code)")
        }
        #expect(chain.state.parties.loaded.count == replayed.parties.loaded.count)
    }

    @Test func aReopenedChainReadsTheIndexAndAgreesWithAReplay() throws {
        let f = try fixture()
        // Every append wrote its records: the index is in step without any replay.
        let indexed = try DatabaseQueue(path: f.directory + "/trace.db").read { db in
            try String.fetchOne(db, sql: "SELECT value FROM domain_meta WHERE key = 'size'")
        }
        #expect(indexed == String(try f.size()))
        try agree(try SupplyChain(ledger: Ledger(path: f.directory + "/trace.db")))
    }

    @Test func aMissingOrStaleIndexIsRebuiltFromTheEntries() throws {
        let f = try fixture()
        let path = f.directory + "/trace.db"
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE domain_meta SET value = '0' WHERE key = 'version'")
        }
        try agree(try SupplyChain(ledger: Ledger(path: path)))
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "DROP TABLE domain_records; DROP TABLE domain_meta") }
        try agree(try SupplyChain(ledger: Ledger(path: path)))
    }

    @Test func aRebuildLongerThanOneChunkWritesAsItGoesAndAgrees() throws {
        let f = try fixture()
        let path = f.directory + "/trace.db"
        let key = f.keys["htx-tan-lap"]!
        let events = try (0..<4_200).map { i in
            try SignedEvent.sign(
                SupplyChain.event(
                    "harvest", actor: "htx-tan-lap",
                    [
                        "lot": .string("BULK-\(i)"), "product": "Lúa", "quantity": "5", "unit": "kg", "plot": "P-001",
                        "harvested": "2026-07-01",
                    ]), with: key, keyName: "htx-tan-lap")
        }
        _ = try f.chain.submit(events)
        try f.submit("htx-tan-lap", "ship", ["lot": "BULK-7", "to": "nha-may-xay-xat"])
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "DROP TABLE domain_records; DROP TABLE domain_meta") }
        let chain = try SupplyChain(ledger: Ledger(path: path))
        try agree(chain)
        #expect(chain.state.lot("BULK-0")?.held.kilograms == 5)
        #expect(chain.state.lot("BULK-4199")?.custodian == "htx-tan-lap")
        #expect(chain.state.lot("BULK-7")?.status == .inTransit(to: "nha-may-xay-xat", shipSeq: try f.size() - 1))
        let indexed = try DatabaseQueue(path: path).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM domain_records WHERE kind = 'lot' AND key LIKE 'BULK-%'")
        }
        #expect(indexed == 4_200)
    }

    @Test func anIndexBehindTheLedgerCatchesUp() throws {
        let f = try fixture()
        let path = f.directory + "/trace.db"
        // Entries appended without the index (by the ledger layer alone) are applied on open.
        let ledger = try Ledger(path: path)
        let key = f.keys["htx-tan-lap"]!
        _ = try ledger.append([
            try SignedEvent.sign(
                SupplyChain.event(
                    "harvest", actor: "htx-tan-lap",
                    [
                        "lot": "LATE-1", "product": "Lúa", "quantity": "5", "unit": "kg", "plot": "P-001",
                        "harvested": "2026-07-01",
                    ]), with: key, keyName: "htx-tan-lap")
        ])
        let chain = try SupplyChain(ledger: Ledger(path: path))
        #expect(chain.state.lot("LATE-1")?.held.kilograms == 5)
        try agree(chain)
    }

    @Test func twoWritersOnOneFileStayInStep() throws {
        let f = try fixture()
        let path = f.directory + "/trace.db"
        let a = try SupplyChain(ledger: Ledger(path: path))
        let b = try SupplyChain(ledger: Ledger(path: path))
        let key = f.keys["htx-tan-lap"]!
        func harvest(_ chain: SupplyChain, _ lot: String) throws {
            _ = try chain.submit([
                try chain.sign(
                    SupplyChain.event(
                        "harvest", actor: "htx-tan-lap",
                        [
                            "lot": .string(lot), "product": "Lúa", "quantity": "5", "unit": "kg", "plot": "P-001",
                            "harvested": "2026-07-01",
                        ]), with: key)
            ])
        }
        try harvest(a, "W-A")
        try harvest(b, "W-B")  // b's state is behind; it must see W-A
        #expect(b.state.lot("W-A") != nil)
        #expect(throws: DomainError.self) { try harvest(b, "W-A") }
        try agree(try SupplyChain(ledger: Ledger(path: path)))
    }
}
