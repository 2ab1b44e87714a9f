import CanonicalJSON
import Foundation
import TestSupport
import Testing

/// The buyer's three verdicts through the real binary: a recalled lot, and every lot made from it,
/// is `recalled` (exit 1) in `verify-lot`, `show` and `certificate verify --ledger`; after
/// `release` it is `verified` again; offline, a certificate says it cannot know later recalls.
struct VerdictCLITests {
    /// The harness's cooperative harvests H-1 and mills it into R-1 for an exporter that exports it.
    func milled() throws -> CLIHarness {
        let h = try CLIHarness()
        let exporter = try h.run("keys", "new", "--name", "vinarice", "--out", "vinarice.key").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try h.runAll([
            ["party", "add", "--id", "vinarice", "--name", "Công ty Gạo Việt", "--role", "exporter", "--vkey", exporter],
            [
                "add", "--key", "htx-tan-lap.key", "--lot", "H-1", "--product", "Lúa ST25", "--quantity", "1000", "--plot",
                "P-001", "--harvested", "2026-07-01",
            ],
            [
                "transform", "--key", "htx-tan-lap.key", "--input", "H-1:1000", "--output", "R-1:650", "--product", "Gạo ST25",
                "--process",
                "milling", "--yield-limit", "0.7",
            ],
            ["ship", "--key", "htx-tan-lap.key", "--lot", "R-1", "--to", "vinarice"],
            ["receive", "--key", "vinarice.key", "--lot", "R-1"],
            [
                "export", "--key", "vinarice.key", "--lot", "R-1", "--buyer", "Hamburg", "--country", "DE", "--container",
                "MSCU1234565",
            ],
            ["checkpoint"],
        ])
        return h
    }

    @Test func aRecallMakesTheLotAndEverythingMadeFromItRecalledUntilReleased() throws {
        let h = try milled()
        #expect(try h.json("verify-lot", "R-1")["verdict"]?.stringValue == "verified")
        #expect(try h.run("verify-lot", "R-1").status == 0)
        #expect(
            try h.run(
                "certificate", "issue", "R-1", "--out", "cert.json", "--key", "vinarice.key"
            ).status == 0)

        try h.runAll([["recall", "H-1", "--reason", "lab test: pesticide residue"], ["checkpoint"]])
        let recallEntry = try #require(try h.json("show", "H-1")["verdict"]?["recalls"]?.arrayValue?.first?["entry"]?.intValue)

        for lot in ["H-1", "R-1"] {
            let text = try h.run("verify-lot", lot)
            #expect(text.status == 1, "\(lot): \(text.stdout)")
            #expect(text.stderr.hasPrefix("RECALLED: lot \(lot)"), "\(text.stderr)")
            #expect(text.stderr.contains("lab test: pesticide residue"))
            let json = try h.json("verify-lot", lot)
            #expect(json["verdict"]?.stringValue == "recalled")
            #expect(json["ok"] == false)
            #expect(json["recalls"]?.arrayValue?.first?["lot"]?.stringValue == "H-1")
            #expect(json["recalls"]?.arrayValue?.first?["entry"]?.intValue == recallEntry)
            #expect(json["recalls"]?.arrayValue?.first?["reason"]?.stringValue == "lab test: pesticide residue")
            #expect(json["recallStatusAtSize"]?.intValue == recallEntry + 1)
            let show = try h.run("show", lot)
            #expect(show.status == 1)
            #expect(show.stdout.contains("verdict: RECALLED: DO NOT ACCEPT"), "\(show.stdout)")
        }
        let downstream = try h.run("verify-lot", "R-1")
        #expect(downstream.stderr.contains("recalled from lot H-1"), "\(downstream.stderr)")

        // The certificate: offline it cannot know, and says so; against the ledger it is recalled.
        let offline = try h.json("certificate", "verify", "cert.json", "--operator", h.operatorVKey)
        #expect(offline["verdict"]?.stringValue == "verified")
        #expect(offline["offline"] == true)
        #expect(offline["note"]?.stringValue?.contains("cannot know of recalls recorded after it") == true)
        let live = try h.run("certificate", "verify", "cert.json", "--operator", h.operatorVKey, "--ledger", "trace.db")
        #expect(live.status == 1)
        #expect(live.stdout.contains("FAIL recall: lot H-1 is under the recall of entry \(recallEntry)"), "\(live.stdout)")
        #expect(live.stderr.hasPrefix("RECALLED: lot R-1"), "\(live.stderr)")
        let liveJSON = try h.json("certificate", "verify", "cert.json", "--operator", h.operatorVKey, "--ledger", "trace.db")
        #expect(liveJSON["verdict"]?.stringValue == "recalled")
        #expect(liveJSON["offline"] == false)

        #expect(try Self.openRecalls(h) == 1)

        // Released: verified everywhere again, and no longer counted as an open recall.
        try h.runAll([["release", "H-1"], ["checkpoint"]])
        #expect(try Self.openRecalls(h) == 0)
        for lot in ["H-1", "R-1"] {
            #expect(try h.run("verify-lot", lot).status == 0)
            #expect(try h.json("show", lot)["verdict"]?["verdict"]?.stringValue == "verified")
        }
        let again = try h.json("certificate", "verify", "cert.json", "--operator", h.operatorVKey, "--ledger", "trace.db")
        #expect(again["verdict"]?.stringValue == "verified")
        #expect(try h.run("verify").status == 0)
    }

    /// The open recalls `trace stats` counts.
    static func openRecalls(_ h: CLIHarness) throws -> Int? {
        try h.json("stats")["rows"]?.arrayValue?.first { $0["key"]?.stringValue == "open-recalls" }?["count"]?.intValue
    }

    @Test func aLotWhoseStoryIsNotYetCheckpointedIsNotVerified() throws {
        let h = try CLIHarness()
        #expect(
            try h.run(
                "add", "--key", "htx-tan-lap.key", "--lot", "N-1", "--product", "Lúa", "--quantity", "10", "--plot", "P-001",
                "--harvested", "2026-07-01"
            ).status == 0)
        let pending = try h.json("verify-lot", "N-1")
        #expect(pending["verdict"]?.stringValue == "not_verified")
        #expect(pending["failure"]?["reason"]?.stringValue?.contains("beyond the latest checkpoint") == true)
        #expect(try h.run("verify-lot", "N-1").status == 1)
    }

    @Test func aVoidedLotIsNotVerified() throws {
        let h = try CLIHarness()
        let add = try h.json(
            "add", "--key", "htx-tan-lap.key", "--lot", "V-1", "--product", "Lúa", "--quantity", "10", "--plot", "P-001",
            "--harvested", "2026-07-01")
        let entry = try #require(add["entry"]?.intValue)
        try h.runAll([
            ["void", "--key", "htx-tan-lap.key", "--entry", String(entry), "--reason", "typed twice"], ["checkpoint"],
        ])
        let json = try h.json("verify-lot", "V-1")
        #expect(json["verdict"]?.stringValue == "not_verified")
        #expect(json["failure"]?["reason"]?.stringValue?.contains("was voided by entry \(entry + 1)") == true, "\(json)")
        #expect(try h.run("verify-lot", "V-1").status == 1)
    }

    @Test func theFSMASpreadsheetCarriesTheHarvestDateAndAByteOrderMark() throws {
        let h = try milled()
        // Read as bytes: Foundation's UTF-8 decoding would drop the byte order mark.
        let run = try Command.run("/bin/sh", ["-c", "\"$0\" lineage R-1 --csv > out.csv", Command.trace], directory: h.directory)
        #expect(run.status == 0, "\(run.stderr)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: h.directory + "/out.csv")))
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let csv = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(csv.hasPrefix("traceability_lot_code,critical_tracking_event,event_time,harvest_date,"))
        let harvest = try #require(csv.split(separator: "\r\n").first { $0.hasPrefix("H-1,harvesting,") })
        #expect(harvest.split(separator: ",")[3] == "2026-07-01", "\(harvest)")
    }
}
