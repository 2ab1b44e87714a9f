import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger
import TraceLedgerSQLite

/// The operator's limits through the real binary: `trace rules`, the refusals they cause, and
/// `verify` replaying them.
struct RulesCLITests {
    /// A square of 0.001 degrees at 10.6° N, about 1.21 ha.
    static let square =
        #"{"type":"Polygon","coordinates":[[[106.500000,10.600000],[106.501000,10.600000],[106.501000,10.601000],[106.500000,10.601000],[106.500000,10.600000]]]}"#
    static var today: String { String(Timestamp.now().prefix(10)) }

    /// A harness whose operator adopted the rules and capped ST25 paddy and milling, with plot P-010.
    func adopted() throws -> CLIHarness {
        let h = try CLIHarness()
        try h.runAll([
            ["rules", "adopt"],
            ["rules", "set-crop-cap", "--crop", "lúa ST25", "--kg-per-ha", "9000", "--window-days", "120"],
            ["rules", "set-process-cap", "--process", "milling", "--yield", "0.70"],
            [
                "plot", "add", "--key", "htx-tan-lap.key", "--id", "P-010", "--farm", "trang-trai-bay", "--area-ha", "1.2",
                "--crop", "Lúa ST25", "--geometry", Self.square,
            ],
        ])
        return h
    }

    func harvest(_ lot: String, _ kg: String) -> [String] {
        [
            "add", "--key", "htx-tan-lap.key", "--lot", lot, "--product", "Lúa ST25", "--quantity", kg, "--plot", "P-010",
            "--harvested", Self.today,
        ]
    }

    func size(_ h: CLIHarness) throws -> UInt64 { try Ledger(path: h.ledger).size() }

    @Test func overClaimsAreRefusedWithExitTwoNamingCapWindowAndFigures() throws {
        let h = try adopted()
        try h.runAll([harvest("L-1", "10000")])
        let before = try size(h)
        let over = try Command.run(Command.trace, harvest("L-2", "50000"), directory: h.directory)
        #expect(over.status == 2)
        for words in [
            "plot P-010", "9,000 kg/ha per 120 days", "10,800 kg", "10,000 kg is already recorded", "800 kg is left",
            "[domain.cap_exceeded]",
        ] {
            #expect(over.stderr.contains(words), "\(words) in \(over.stderr)")
        }
        #expect(over.stderr.split(separator: "\n").count == 1)
        let area = try h.run(
            "plot", "add", "--key", "htx-tan-lap.key", "--id", "P-011", "--farm", "trang-trai-bay", "--area-ha", "12",
            "--crop", "Lúa ST25", "--geometry", Self.square)
        #expect(area.status == 2)
        #expect(area.stderr.contains("declares 12 ha") && area.stderr.contains("measures 1.21"), "\(area.stderr)")
        // A mill that sets its own limit to 1 is held to the operator's 0.70.
        try h.runAll([["keys", "new", "--name", "nha-may", "--out", "nha-may.key"]])
        let mill = try h.run(
            "transform", "--key", "htx-tan-lap.key", "--input", "L-1:10000", "--output", "G-1:10000", "--product", "Gạo ST25",
            "--process", "milling", "--yield-limit", "1")
        #expect(mill.status == 2)
        #expect(mill.stderr.contains("at most 7,000 kg") && mill.stderr.contains("operator's cap 0.7"), "\(mill.stderr)")
        let drying = try h.run(
            "transform", "--key", "htx-tan-lap.key", "--input", "L-1:10000", "--output", "D-1:9000", "--product", "Lúa khô",
            "--process", "drying", "--yield-limit", "0.9")
        #expect(drying.status == 2)
        #expect(drying.stderr.contains("no yield cap for process \"drying\""), "\(drying.stderr)")
        #expect(try size(h) == before, "refusals write nothing")
        let bad = try h.run("rules", "set-crop-cap", "--crop", "lúa", "--kg-per-ha", "nine", "--window-days", "120")
        #expect(bad.status == 2 && bad.stderr.contains("--kg-per-ha: \"nine\""), "\(bad.stderr)")
        let country = try h.run("rules", "require-codes", "--crop", "thanh long", "--destination", "XX")
        #expect(country.status == 2 && country.stderr.contains("\"XX\""), "\(country.stderr)")
        #expect(try size(h) == before)
        #expect(try h.run("verify").status == 0)
    }

    @Test func rulesListShowsWhatIsInForceAndTheEntryThatSetIt() throws {
        let h = try adopted()
        let list = try h.json("rules", "list")
        #expect(list["adoptedEntry"]?.intValue == CLIHarness.setupEntries)
        #expect(list["maxBackdateDays"]?.intValue == 30)
        #expect(list["cropCaps"]?.arrayValue?.first?["crop"]?.stringValue == "lúa ST25")
        #expect(list["cropCaps"]?.arrayValue?.first?["kgPerHa"]?.stringValue == "9000")
        #expect(list["cropCaps"]?.arrayValue?.first?["windowDays"]?.intValue == 120)
        #expect(list["cropCaps"]?.arrayValue?.first?["entry"]?.intValue == CLIHarness.setupEntries + 1)
        #expect(list["processCaps"]?.arrayValue?.first?["yield"]?.stringValue == "0.7")
        let text = try h.run("rules", "list")
        #expect(text.stdout.contains("lúa ST25: 9000 kg/ha per 120 days (entry 5)"), "\(text.stdout)")
    }

    @Test func aPlantedHarvestThatBreaksACapIsNamedByVerify() throws {
        let h = try adopted()
        try h.runAll([harvest("L-1", "10000")])
        // A stolen cooperative key and write access to the file: a harvest past the cap,
        // appended straight into the store, around the rules.
        let key = try PrivateKey(contentsOfFile: h.directory + "/htx-tan-lap.key")
        let planted = try SignedEvent.sign(
            SupplyChain.event(
                "harvest", actor: "htx-tan-lap",
                [
                    "lot": "L-9", "product": "Lúa ST25", "quantity": "50000", "unit": "kg", "plot": "P-010",
                    "harvested": .string(Self.today),
                ]), with: key, keyName: "htx-tan-lap")
        let ledger = try Ledger(path: h.ledger)
        let seq = try ledger.store.write { writer in
            let size = try writer.size()
            try writer.append(try Entry(seq: size, recorded: Timestamp.now(), prev: try writer.lastLeafHash(), signed: planted))
            return size
        }
        let result = try h.run("verify")
        #expect(result.status == 1)
        #expect(result.stderr.contains("entry \(seq) breaks a rule"), "\(result.stderr)")
        #expect(result.stderr.contains("per 120 days"), "\(result.stderr)")
        let json = try h.json("verify")
        #expect(json["failure"]?["code"]?.stringValue == "domain.cap_exceeded")
    }

    @Test func plotAmendmentsShowInTheLineageAndVerifyStillPasses() throws {
        let h = try adopted()
        try h.runAll([
            harvest("L-1", "5000"),
            [
                "plot", "amend", "--key", "htx-tan-lap.key", "--id", "P-010", "--area-ha", "1.1", "--growing-area-code",
                "VN-LAOR-0107", "--reason", "surveyed again",
            ],
        ])
        let lineage = try h.json("lineage", "L-1")
        let plot = lineage["upstream"]?["plot"]
        #expect(plot?["areaHa"]?.stringValue == "1.1")
        #expect(plot?["growingAreaCode"]?.stringValue == "VN-LAOR-0107")
        #expect(plot?["corrections"]?.arrayValue?.first?["changes"]?["areaHa"]?["from"]?.stringValue == "1.2")
        #expect(plot?["corrections"]?.arrayValue?.first?["entry"]?.intValue != nil)
        let refused = try h.run("plot", "amend", "--key", "htx-tan-lap.key", "--id", "P-010", "--area-ha", "4")
        #expect(refused.status == 2 && refused.stderr.contains("within 15%"), "\(refused.stderr)")
        let nothing = try h.run("plot", "amend", "--key", "htx-tan-lap.key", "--id", "P-010")
        #expect(nothing.status == 2)
        #expect(try h.run("verify").status == 0)
    }

    @Test func personIdsAreOpaque() throws {
        let h = try adopted()
        let key = try h.run("keys", "new", "--name", "farmer", "--out", "farmer.key").stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        let named = try h.run(
            "party", "add", "--person", "--id", "nong-ho-bay", "--name", "Nguyễn Văn Bảy", "--role", "farm", "--vkey", key,
            "--member-of", "htx-tan-lap")
        #expect(named.status == 2)
        #expect(named.stderr.contains("contains the person's name"), "\(named.stderr)")
        let made = try h.run(
            "party", "add", "--person", "--name", "Nguyễn Văn Bảy", "--role", "farm", "--vkey", key, "--member-of", "htx-tan-lap")
        #expect(made.status == 0, "\(made.stderr)")
        let chain = try SupplyChain(ledger: Ledger(path: h.ledger))
        let person = chain.state.parties.loaded.first { $0.isPerson }
        #expect(person?.id.hasPrefix("p-") == true)
        #expect(made.stdout.contains(person?.id ?? "?"))
        #expect(try h.run("verify").status == 0)
    }
}
