import CanonicalJSON
import ChainFixtures
import Foundation
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger

struct StatsTests {
    /// Five member farms of one cooperative: four grow rice, one mangoes. Three rice harvests are
    /// milled, certified VietGAP and exported to Germany.
    static func chain() throws -> ChainFixture {
        let f = try ChainFixture()
        for n in 2...5 {
            try f.register(
                "nong-ho-\(n)", roles: ["farm"], personal: ["name": "Trần Thị Số \(n)", "phone": "09090000\(n)\(n)"],
                memberOf: "htx-tan-lap")
            try f.submit(
                "htx-tan-lap", "plot.register",
                [
                    "plot": [
                        "id": .string("P-00\(n)"), "farm": .string("nong-ho-\(n)"), "crop": n == 5 ? "xoài" : "lúa",
                        "areaHa": "2.5", "geometry": try PlotGeometry(geojson: ChainFixture.polygon).storedJSON,
                    ]
                ])
        }
        for n in 1...5 {
            try f.submit(
                "htx-tan-lap", "harvest",
                [
                    "lot": .string("H-\(n)"), "product": n == 5 ? "Xoài cát Hòa Lộc" : "Lúa ST25", "quantity": "1000",
                    "unit": "kg",
                    "plot": .string("P-00\(n)"), "harvested": n == 4 ? "2026-08-02" : "2026-07-01",
                ])
        }
        for lot in ["H-1", "H-2", "H-3"] {
            try f.submit("htx-tan-lap", "ship", ["lot": .string(lot), "to": "nha-may-xay-xat"])
            try f.submit("nha-may-xay-xat", "receive", ["lot": .string(lot)])
        }
        try f.submit(
            "nha-may-xay-xat", "transform",
            [
                "process": "milling", "yieldLimit": "0.7",
                "inputs": [
                    ["lot": "H-1", "quantity": "1000"], ["lot": "H-2", "quantity": "1000"], ["lot": "H-3", "quantity": "1000"],
                ],
                "outputs": [["lot": "RICE-1", "product": "Gạo ST25", "quantity": "2000"]],
            ])
        try f.submit(
            "vietgap-cert", "certify",
            ["lot": "RICE-1", "scheme": "VietGAP", "documentSha256": .string(String(repeating: "ab", count: 32))])
        try f.submit("nha-may-xay-xat", "ship", ["lot": "RICE-1", "to": "vinarice-export"])
        try f.submit("vinarice-export", "receive", ["lot": "RICE-1"])
        try f.submit(
            "vinarice-export", "export", ["lot": "RICE-1", "buyer": "hamburg-foods", "country": "DE", "container": "MSCU1234565"])
        return f
    }

    @Test func theRulesIndexAndAFullReplayGiveTheSameFigures() throws {
        let f = try Self.chain()
        let indexed = try f.chain.stats()
        var replayed = DomainState()
        #expect(try SupplyChain.replay(f.chain.ledger, into: &replayed) == nil)
        let fromReplay = try Stats(replayed.allRecords, root: try f.chain.ledger.root(size: replayed.size).hex)
        #expect(try CanonicalJSON.encode(indexed.json) == CanonicalJSON.encode(fromReplay.json))
        #expect(indexed.csv == fromReplay.csv)
        // And through a freshly opened chain, which reads every record from the index.
        let reopened = try SupplyChain(ledger: Ledger(path: f.directory + "/trace.db")).stats()
        #expect(reopened.csv == indexed.csv)
        #expect(indexed.size == (try f.size()))
        #expect(indexed.root == (try f.chain.ledger.root(size: f.size()).hex))
    }

    @Test func figuresCountHarvestsExportsAndCertifiedShare() throws {
        let stats = try Self.chain().chain.stats()
        #expect(stats.total("harvests")?.count == 5)
        #expect(stats.total("harvests")?.kilograms == 5000)
        #expect(stats.total("harvests")?.farms == 5)
        #expect(stats.total("exports")?.kilograms == 2000)
        #expect(stats.total("farms")?.count == 5)
        #expect(stats.total("plots")?.hectares == Decimal(string: "12.5"))
        #expect(stats.rows("country").map(\.key) == ["DE"])
        #expect(stats.rows("scheme").first?.farms == 3)
        #expect(stats.certifiedShare == 1)
        #expect(stats.rows("month").map(\.key) == ["2026-07", "2026-08"])
        #expect(stats.firstMonth == "2026-07" && stats.lastMonth == "2026-08")
    }

    @Test func aFigureBehindFewerThanThreeFarmsIsSuppressedAndSoIsItsComplement() throws {
        let stats = try Self.chain().chain.stats()
        let crops = Dictionary(uniqueKeysWithValues: stats.rows("crop").map { ($0.key, $0) })
        // One mango farm: suppressed; rice alone would then give it away as the total's rest.
        #expect(crops["xoài"]?.suppressed == true)
        #expect(crops["lúa"]?.suppressed == true)
        #expect(crops["xoài"]?.count == 0 && crops["xoài"]?.kilograms == 0)
        // One farm harvested in August: the month is suppressed, and July with it.
        #expect(stats.rows("month").allSatisfy { $0.suppressed })
        let json = try CanonicalJSON.string(stats.json)
        #expect(!json.contains("nong-ho"))
        #expect(!stats.csv.contains("nong-ho"))
        #expect(json.contains(#""key":"xoài","kilograms":null"#))
    }

    @Test func aFilterThatSinglesOutFewerThanThreeFarmsIsRefused() throws {
        let f = try Self.chain()
        // Mangoes: one farm. Rice: four, leaving one farm for whoever subtracts from the whole.
        for crop in ["xoài", "lúa"] {
            let error = #expect(throws: DomainError.self) { try f.chain.stats(StatsFilter(crop: crop, from: nil, to: nil)) }
            #expect(error?.code == .tooFewFarms)
        }
        let august = #expect(throws: DomainError.self) { try f.chain.stats(StatsFilter(crop: nil, from: "2026-08", to: nil)) }
        #expect(august?.code == .tooFewFarms)
        // The whole period leaves nobody out.
        let all = try f.chain.stats(StatsFilter(crop: nil, from: "2026-01", to: "2026-12"))
        #expect(all.total("harvests")?.count == 5)
        let bad = #expect(throws: DomainError.self) { try StatsFilter(crop: nil, from: "2026-13", to: nil) }
        #expect(bad?.code == .badInput)
    }
}
