import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite

/// Quantities finer than a milligram (docs/RULES.md, release 2026.12): accepted under release
/// 2026.11's rules, so its ledgers verify unchanged, and refused as values once 2026.12's are adopted.
struct MilligramRuleTests {
    static var today: String { String(Timestamp.now().prefix(10)) }

    func harvest(_ lot: String, _ quantity: String, unit: String = "kg") -> [String] {
        [
            "add", "--key", "htx-tan-lap.key", "--lot", lot, "--product", "lúa", "--quantity", quantity, "--unit", unit,
            "--plot", "P-001", "--harvested", Self.today,
        ]
    }

    /// Appends the operator's `rules.adopt` of release 2026.11, as that release's `trace rules adopt` wrote it.
    func adoptOldRelease(_ h: CLIHarness) throws {
        let key = try PrivateKey(contentsOfFile: h.directory + "/trace.operator.key")
        let chain = try SupplyChain(ledger: Ledger(path: h.ledger))
        _ = try chain.submit([
            try chain.sign(SupplyChain.event("rules.adopt", actor: "operator", ["release": "2026.11"]), with: key)
        ])
    }

    @Test func subMilligramHarvestsStayValidUnderTheOldReleaseAndVerify() throws {
        let h = try CLIHarness()
        try adoptOldRelease(h)
        try h.runAll([harvest("L-1", "0.0000001"), harvest("L-2", "1200.0000005")])
        #expect(try h.run("verify").status == 0)
        let list = try h.run("rules", "list")
        #expect(list.stdout.contains("finer than a milligram still accepted"), "\(list.stdout)")
    }

    @Test func theNewReleaseRefusesSubMilligramQuantitiesNamingFieldAndValue() throws {
        let h = try CLIHarness()
        try adoptOldRelease(h)
        try h.runAll([harvest("L-1", "0.0000001"), ["rules", "adopt"]])
        let before = try Ledger(path: h.ledger).size()
        for (quantity, unit, written) in [("1200.0000005", "kg", "1200.0000005 kg"), ("0.0001", "g", "0.0000001 kg")] {
            let refused = try h.run(harvest("L-2", quantity, unit: unit))
            #expect(refused.status == 2, "\(quantity) \(unit): \(refused.stderr)")
            for words in ["quantity", written, "finer than a milligram", "[domain.bad_input]"] {
                #expect(refused.stderr.contains(words), "\(words) in \(refused.stderr)")
            }
        }
        let split = try h.run(
            "split", "--key", "htx-tan-lap.key", "--lot", "L-1", "--into", "L-1A:0.00000005", "--into", "L-1B:0.00000005")
        #expect(split.status == 2 && split.stderr.contains("outputs[0].quantity"), "\(split.stderr)")
        #expect(try Ledger(path: h.ledger).size() == before, "refusals write nothing")
        // A whole milligram, in kilograms or in grams, is still a quantity.
        try h.runAll([harvest("L-3", "0.000001"), harvest("L-4", "1.5", unit: "g")])
        #expect(try h.run("verify").status == 0)
        let rules = try h.json("rules", "list")
        #expect(rules["wholeMilligramsEntry"]?.intValue == Int(before) - 1, "\(rules)")
    }
}
