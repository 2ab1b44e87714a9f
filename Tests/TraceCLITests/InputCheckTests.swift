import Foundation
import TestSupport
import Testing
import TraceLedger
import TraceLedgerSQLite

/// Values a clerk never means are refused as values, exit 2, naming the field, writing nothing.
struct InputCheckTests {
    func refused(_ h: CLIHarness, _ arguments: [String], saying words: [String]) throws {
        let result = try h.run(arguments)
        #expect(result.status == 2, "trace \(arguments.joined(separator: " ")): \(result.stderr)")
        for word in words { #expect(result.stderr.contains(word), "\(result.stderr)") }
    }

    func harvest(_ quantity: [String], date: String = "2026-07-01", product: String = "Lúa ST25") -> [String] {
        ["add", "--key", "htx-tan-lap.key", "--lot", "LA-X-1", "--product", product] + quantity
            + ["--plot", "P-001", "--harvested", date]
    }

    @Test func aNegativeQuantityIsRefusedAsAValueInBothForms() throws {
        let h = try CLIHarness()
        try refused(h, harvest(["--quantity", "-1"]), saying: ["--quantity", "\"-1\"", "not a positive"])
        try refused(h, harvest(["--quantity=-1"]), saying: ["--quantity", "\"-1\""])
        try refused(h, harvest(["--quantity", "1e3"]), saying: ["--quantity", "\"1e3\""])
        #expect(try Ledger(path: h.ledger).size() == UInt64(CLIHarness.setupEntries))
        #expect(try h.run(harvest(["--quantity", "1200.5"])).status == 0)
    }

    @Test func harvestDatesOutsideTheYear2000ToNextYearAreRefused() throws {
        let h = try CLIHarness()
        let nextYear = Calendar(identifier: .gregorian).component(.year, from: Date()) + 1
        try refused(h, harvest(["--quantity", "10"], date: "0000-07-01"), saying: ["--harvested", "0000-07-01", "2000 to"])
        try refused(h, harvest(["--quantity", "10"], date: "1999-12-31"), saying: ["--harvested"])
        try refused(h, harvest(["--quantity", "10"], date: "\(nextYear + 1)-01-01"), saying: ["--harvested"])
        try refused(h, harvest(["--quantity", "10"], date: "2026-02-30"), saying: ["--harvested", "not a day"])
        #expect(try Ledger(path: h.ledger).size() == UInt64(CLIHarness.setupEntries))
    }

    @Test func controlCharactersInFreeTextAreRefused() throws {
        let h = try CLIHarness()
        try refused(h, harvest(["--quantity", "10"], product: "Lúa\u{1B}[31m ST25"), saying: ["product", "U+001B"])
        try refused(
            h, ["party", "add", "--id", "vuon-tu", "--name", "Vườn\u{85}Tư", "--role", "cooperative", "--vkey", h.operatorVKey],
            saying: ["name", "U+0085"])
        try refused(
            h,
            [
                "party", "add", "--person", "--name", "Bà\u{7}Tư", "--role", "farm", "--member-of", "htx-tan-lap", "--vkey",
                h.operatorVKey,
            ],
            saying: ["--name", "U+0007"])
        #expect(try Ledger(path: h.ledger).size() == UInt64(CLIHarness.setupEntries))
    }

    @Test func aThreeDimensionalPositionAndAnExponentAreaAreRefused() throws {
        let h = try CLIHarness()
        let plot = ["plot", "add", "--key", "htx-tan-lap.key", "--id", "P-002", "--farm", "trang-trai-bay", "--crop", "lúa"]
        try refused(
            h, plot + ["--area-ha", "2", "--geometry", #"{"type":"Point","coordinates":[106.5,10.6,12.0]}"#],
            saying: ["altitude"])
        try refused(
            h, plot + ["--area-ha", "1e3", "--geometry", #"{"type":"Point","coordinates":[106.5,10.6]}"#],
            saying: ["--area-ha", "\"1e3\""])
        #expect(try Ledger(path: h.ledger).size() == UInt64(CLIHarness.setupEntries))
    }
}
