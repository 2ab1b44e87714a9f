import CanonicalJSON
import ChainFixtures
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite

/// The index beside the entries must always say what a full replay says.
struct IndexTests {
    static let lots = ["PADDY-A", "PADDY-B", "PADDY-C", "RICE-AB", "RICE-AB-1", "RICE-AB-2", "VOID-1"]

    func fixture(store: StoreKind = .sqlite) throws -> ChainFixture {
        let f = try RecallTests().chain(store: store)
        try f.submit("vietgap-cert", "recall", ["lot": "PADDY-B", "reason": "residue"])
        try f.harvest("VOID-1")
        try f.submit("htx-tan-lap", "void", ["entry": .int(Int(try f.size() - 1)), "reason": "typo"])
        return f
    }

    /// Where the index says how many entries it reflects (FORMAT.md section 9).
    static let meta = SideSpace("domain.index.meta")

    /// Removes every record of the index, as a ledger written before it had one.
    static func dropIndex(_ store: any LedgerStore) throws {
        try store.write { writer in
            for kind in ["party", "plot", "lot", "entry", "recall", "rules", "meta"] {
                try writer.clearSideRecords(SideSpace("domain.index." + kind))
            }
        }
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

    @Test(arguments: StoreKind.allCases) func aReopenedChainReadsTheIndexAndAgreesWithAReplay(_ store: StoreKind) throws {
        let f = try fixture(store: store)
        // Every append wrote its records: the index is in step without any replay.
        let indexed = try f.chain.ledger.store.read { try $0.sideRecord(Self.meta, key: "size") }
        #expect(indexed.map { String(decoding: $0, as: UTF8.self) } == String(try f.size()))
        try agree(try SupplyChain(ledger: f.reopen()))
    }

    @Test(arguments: StoreKind.allCases) func aMissingOrStaleIndexIsRebuiltFromTheEntries(_ store: StoreKind) throws {
        let f = try fixture(store: store)
        try f.chain.ledger.store.write { try $0.putSideRecord(Self.meta, key: "version", value: Array("0".utf8)) }
        try agree(try SupplyChain(ledger: f.reopen()))
        try Self.dropIndex(f.chain.ledger.store)
        try agree(try SupplyChain(ledger: f.reopen()))
    }

    @Test(arguments: StoreKind.allCases) func aRebuildLongerThanOneChunkWritesAsItGoesAndAgrees(_ store: StoreKind) throws {
        let f = try fixture(store: store)
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
        try Self.dropIndex(f.chain.ledger.store)
        let chain = try SupplyChain(ledger: f.reopen())
        try agree(chain)
        #expect(chain.state.lot("BULK-0")?.held.kilograms == 5)
        #expect(chain.state.lot("BULK-4199")?.custodian == "htx-tan-lap")
        #expect(chain.state.lot("BULK-7")?.status == .inTransit(to: "nha-may-xay-xat", shipSeq: try f.size() - 1))
        let indexed = try f.chain.ledger.store.read { try $0.sideRecords(SideSpace("domain.index.lot")) }
        #expect(indexed.filter { $0.key.hasPrefix("BULK-") }.count == 4_200)
    }

    @Test(arguments: StoreKind.allCases) func anIndexBehindTheLedgerCatchesUp(_ store: StoreKind) throws {
        let f = try fixture(store: store)
        // Entries appended without the index (by the ledger layer alone) are applied on open.
        let ledger = try f.reopen()
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
        let chain = try SupplyChain(ledger: f.reopen())
        #expect(chain.state.lot("LATE-1")?.held.kilograms == 5)
        try agree(chain)
    }

    @Test(arguments: StoreKind.allCases) func twoWritersOnOneStoreStayInStep(_ store: StoreKind) throws {
        let f = try fixture(store: store)
        let a = try SupplyChain(ledger: f.reopen())
        let b = try SupplyChain(ledger: f.reopen())
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
        try agree(try SupplyChain(ledger: f.reopen()))
    }
}
