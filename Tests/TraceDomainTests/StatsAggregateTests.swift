import CanonicalJSON
import ChainFixtures
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger

/// The running aggregate (kept by `apply`, stored in the rules index) must give, for every
/// filter, exactly what the figures computed from every record of a full replay give.
struct StatsAggregateTests {
    static let filters: [(String?, String?, String?)] = [
        (nil, nil, nil), ("lúa", nil, nil), ("LÚA", nil, nil), ("xoài", nil, nil), ("cà phê", nil, nil),
        (nil, "2026-07", nil), (nil, nil, "2026-07"), (nil, "2026-08", nil), (nil, "2026-01", "2026-12"),
        ("lúa", "2026-07", "2026-07"), ("lúa", "2026-09", nil), (nil, "2027-01", nil),
    ]

    /// Compares the aggregate's figures (through `chain`, and through a freshly opened chain)
    /// with a replay's, for every filter: the same bytes, or the same refusal.
    func expectAgreement(_ f: ChainFixture, _ step: String) throws {
        var replayed = DomainState()
        #expect(try SupplyChain.replay(f.chain.ledger, into: &replayed) == nil)
        let root = try f.chain.ledger.root(size: replayed.size).hex
        let reopened = try SupplyChain(ledger: f.reopen())
        #expect(try f.chain.statsAggregate() != nil, "\(step): no aggregate")
        for (crop, from, to) in Self.filters {
            let filter = try StatsFilter(crop: crop, from: from, to: to)
            let expected = Result { try Stats(replayed.allRecords, root: root, filter: filter) }
            for (name, chain) in [("chain", f.chain), ("reopened", reopened)] {
                let got = Result { try chain.stats(filter) }
                let label = "\(step), \(name), filter \(crop ?? "-") \(from ?? "-") \(to ?? "-")"
                switch (got, expected) {
                case (.success(let a), .success(let b)):
                    #expect(try CanonicalJSON.string(a.json) == CanonicalJSON.string(b.json), "\(label)")
                    #expect(a.csv == b.csv, "\(label)")
                case (.failure(let a), .failure(let b)):
                    #expect((a as? DomainError)?.code == (b as? DomainError)?.code, "\(label)")
                    #expect((a as? DomainError)?.message == (b as? DomainError)?.message, "\(label)")
                default:
                    Issue.record("\(label): the aggregate gave \(got), a replay \(expected)")
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases) func theAggregateGivesAReplaysFiguresForEveryFilter(_ store: StoreKind) throws {
        try expectAgreement(try ChainFixture.fiveFarms(store: store), "five farms")
    }

    /// Farms 6 to 9 grow rice (one writes it "Lúa"), harvest in September, and their paddy is
    /// milled with July's rice, certified, split, and exported to Japan: one batch at a time,
    /// reopened and compared after each.
    @Test func aLedgerGrownInSeveralBatchesAndReopenedKeepsTheAggregateInStep() throws {
        let f = try ChainFixture.fiveFarms()
        try expectAgreement(f, "start")
        for n in 6...9 {
            try f.register("nong-ho-\(n)", roles: ["farm"], personal: ["name": "Lê Văn \(n)"], memberOf: "htx-tan-lap")
            try f.submit(
                "htx-tan-lap", "plot.register",
                [
                    "plot": [
                        "id": .string("P-00\(n)"), "farm": .string("nong-ho-\(n)"), "crop": n == 6 ? "Lúa" : "lúa",
                        "areaHa": "1.5", "geometry": try PlotGeometry(geojson: ChainFixture.polygon).storedJSON,
                    ]
                ])
            try f.submit(
                "htx-tan-lap", "harvest",
                [
                    "lot": .string("H-\(n)"), "product": "Lúa ST25", "quantity": "800", "unit": "kg",
                    "plot": .string("P-00\(n)"), "harvested": .string("2026-09-1\(n)"),
                ])
        }
        try expectAgreement(f, "four more farms")
        for lot in ["H-4", "H-6", "H-7", "H-8"] {
            try f.submit("htx-tan-lap", "ship", ["lot": .string(lot), "to": "nha-may-xay-xat"])
            try f.submit("nha-may-xay-xat", "receive", ["lot": .string(lot)])
        }
        try f.submit(
            "nha-may-xay-xat", "merge",
            ["inputs": ["H-4", "H-6", "H-7", "H-8"], "output": "PADDY-MIX"])
        try f.submit(
            "nha-may-xay-xat", "split",
            ["lot": "PADDY-MIX", "outputs": [["lot": "MIX-A", "quantity": "1700"], ["lot": "MIX-B", "quantity": "1700"]]])
        try expectAgreement(f, "merged and split")
        try f.submit(
            "vietgap-cert", "certify",
            ["lot": "PADDY-MIX", "scheme": "GlobalG.A.P.", "documentSha256": .string(String(repeating: "cd", count: 32))])
        try f.submit("nha-may-xay-xat", "ship", ["lot": "MIX-A", "to": "vinarice-export"])
        try f.submit("vinarice-export", "receive", ["lot": "MIX-A"])
        try f.submit(
            "vinarice-export", "export", ["lot": "MIX-A", "buyer": "osaka-foods", "country": "JP", "container": "MSCU7654321"])
        try expectAgreement(f, "exported to Japan")
        let stats = try f.chain.stats()
        #expect(stats.rows("country").map(\.key) == ["DE", "JP"])
        #expect(stats.total("farms")?.count == 9)
        #expect(stats.rows("crop").first { $0.key == "lúa" }?.label == "lúa")
    }

    /// A void takes a harvest out, a recall puts lots on hold and its release lifts them, and
    /// voiding an ancestor's certification takes an exported lot out of the certified exports.
    @Test func voidsRecallsAndVoidedCertificationsMoveTheFigures() throws {
        let f = try ChainFixture.fiveFarms()
        try f.submit(
            "htx-tan-lap", "harvest",
            [
                "lot": "H-EXTRA", "product": "Lúa ST25", "quantity": "700", "unit": "kg", "plot": "P-002",
                "harvested": "2026-07-20",
            ])
        let mistaken = try f.size() - 1
        try expectAgreement(f, "extra harvest")
        try f.submit("htx-tan-lap", "void", ["entry": .int(Int(mistaken)), "reason": "typed twice"])
        try expectAgreement(f, "voided harvest")
        #expect(try f.chain.stats().total("harvests")?.count == 5)

        try f.submit("vietgap-cert", "recall", ["lot": "H-1", "reason": "residue"])
        try expectAgreement(f, "recalled")
        #expect(try f.chain.stats().total("lots-on-hold")?.count == 2)
        try f.submit("vietgap-cert", "release", ["lot": "H-1"])
        try expectAgreement(f, "released")
        #expect(try f.chain.stats().total("lots-on-hold") == nil)

        // H-4 is certified, split, and one half exported: certified through its parent.
        let certified = try f.submit(
            "vietgap-cert", "certify",
            ["lot": "H-4", "scheme": "VietGAP", "documentSha256": .string(String(repeating: "ef", count: 32))])
        try f.submit("htx-tan-lap", "ship", ["lot": "H-4", "to": "vinarice-export"])
        try f.submit("vinarice-export", "receive", ["lot": "H-4"])
        try f.submit(
            "vinarice-export", "split",
            ["lot": "H-4", "outputs": [["lot": "H-4A", "quantity": "600"], ["lot": "H-4B", "quantity": "400"]]])
        try f.submit(
            "vinarice-export", "export", ["lot": "H-4A", "buyer": "osaka-foods", "country": "JP", "container": "MSCU7654321"])
        try expectAgreement(f, "certified through a parent")
        #expect(try f.chain.stats().total("certified-exports")?.count == 2)
        try f.submit("vietgap-cert", "void", ["entry": .int(Int(certified)), "reason": "wrong lot"])
        try expectAgreement(f, "parent's certification voided")
        #expect(try f.chain.stats().total("certified-exports")?.count == 1)
    }

    /// A plot's crop amended moves its harvests to another crop: the aggregate is rebuilt.
    @Test func aPlotsCropAmendmentMovesItsHarvests() throws {
        let f = try ChainFixture.fiveFarms()
        try f.submit("htx-tan-lap", "plot.amend", ["plot": "P-005", "crop": "Lúa", "reason": "mango trees cut down"])
        try expectAgreement(f, "mango plot now rice")
        #expect(try f.chain.stats().rows("crop").map(\.key) == ["lúa"])
        try f.submit("htx-tan-lap", "plot.amend", ["plot": "P-002", "areaHa": "3", "reason": "measured again"])
        try expectAgreement(f, "area amended")
    }

    /// An index written by the release before (version 4, no aggregate) is rebuilt on open,
    /// aggregate and all.
    @Test func anIndexOfTheVersionBeforeIsRebuiltWithItsAggregate() throws {
        let f = try ChainFixture.fiveFarms()
        try f.chain.ledger.store.write { writer in
            try writer.putSideRecord(SideSpace("domain.index.meta"), key: "version", value: Array("4".utf8))
            for space in ["tally", "statlot", "statplot"] { try writer.clearSideRecords(SideSpace("domain.index." + space)) }
        }
        let reopened = try SupplyChain(ledger: f.reopen())
        #expect(try reopened.statsAggregate() != nil)
        let tally = try reopened.ledger.store.read { try $0.sideRecords(SideSpace("domain.index.tally")) }
        #expect(!tally.isEmpty)
        try expectAgreement(f, "rebuilt")
    }
}
