import CanonicalJSON
import ChainFixtures
import Foundation
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite

struct StatsTests {
    @Test func theRulesIndexAndAFullReplayGiveTheSameFigures() throws {
        let f = try ChainFixture.fiveFarms()
        let indexed = try f.chain.stats()
        var replayed = DomainState()
        #expect(try SupplyChain.replay(f.chain.ledger, into: &replayed) == nil)
        let fromReplay = try Stats(replayed.allRecords, root: try f.chain.ledger.root(size: replayed.size).hex)
        #expect(try CanonicalJSON.encode(indexed.json) == CanonicalJSON.encode(fromReplay.json))
        #expect(indexed.csv == fromReplay.csv)
        // And through a freshly opened chain, which reads every record from the index.
        let reopened = try SupplyChain(ledger: f.reopen()).stats()
        #expect(reopened.csv == indexed.csv)
        #expect(indexed.size == (try f.size()))
        #expect(indexed.root == (try f.chain.ledger.root(size: f.size()).hex))
    }

    @Test func figuresCountHarvestsExportsAndCertifiedShare() throws {
        let stats = try ChainFixture.fiveFarms().chain.stats()
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
        let stats = try ChainFixture.fiveFarms().chain.stats()
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
        let f = try ChainFixture.fiveFarms()
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
