import CanonicalJSON
import Foundation
import TestSupport
import Testing

/// The clerk's look-ups through the real binary: who is registered, which plots a farm has,
/// which lots a party holds or a farm grew, and a key file's verifier key.
struct LookupCLITests {
    @Test func partyPlotAndLotListsAnswerTheClerksQuestions() throws {
        let h = try CLIHarness()
        try h.appendEvents(2)
        let parties = try h.json("party", "list")["parties"]?.arrayValue ?? []
        #expect(parties.compactMap { $0["id"]?.stringValue }.sorted() == ["htx-tan-lap", "operator", "trang-trai-bay"])
        #expect(
            try h.run("party", "list").stdout.contains("trang-trai-bay  farm  Hợp tác xã trang-trai-bay member of htx-tan-lap"))

        let plots = try h.json("plot", "list", "--farm", "trang-trai-bay")["plots"]?.arrayValue ?? []
        #expect(plots.count == 1)
        #expect(plots.first?["id"]?.stringValue == "P-001")
        #expect(plots.first?["areaHa"]?.stringValue == "2.5")
        #expect(try h.json("plot", "list", "--farm", "nobody")["plots"]?.arrayValue?.isEmpty == true)

        // The cooperative ships one lot away: it still grew both, but holds one.
        try h.runAll([["ship", "--key", "htx-tan-lap.key", "--lot", "LA-ST25-1", "--to", "trang-trai-bay"]])
        let held = try h.json("lot", "list", "--holder", "htx-tan-lap")["lots"]?.arrayValue ?? []
        #expect(held.compactMap { $0["lot"]?.stringValue } == ["LA-ST25-2"])
        let grown = try h.json("lot", "list", "--farm", "trang-trai-bay")["lots"]?.arrayValue ?? []
        #expect(grown.compactMap { $0["lot"]?.stringValue } == ["LA-ST25-1", "LA-ST25-2"])
        #expect(grown.first?["status"]?.stringValue == "in transit to trang-trai-bay")
        let text = try h.run("lot", "list", "--holder", "htx-tan-lap")
        #expect(
            text.stdout.contains("LA-ST25-2  Lúa ST25  1200 of 1200 kg held by htx-tan-lap  active  plot P-001"), "\(text.stdout)"
        )
    }

    @Test func keysShowPrintsTheVerifierKeyTheOperatorRegistered() throws {
        let h = try CLIHarness()
        let shown = try h.run("keys", "show", "htx-tan-lap.key")
        #expect(shown.status == 0, "\(shown.stderr)")
        let registered = try h.json("party", "list")["parties"]?.arrayValue?.first { $0["id"]?.stringValue == "htx-tan-lap" }
        #expect(registered?["keys"]?.arrayValue?.first?["vkey"]?.stringValue == shown.stdout.trimmingCharacters(in: .newlines))
        // A key file others can read is refused, with the fix.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: h.directory + "/htx-tan-lap.key")
        let open = try h.run("keys", "show", "htx-tan-lap.key")
        #expect(open.status == 2)
        #expect(open.stderr.contains("chmod 600 htx-tan-lap.key"), "\(open.stderr)")
    }

    @Test func aFeatureCollectionOfOnePlotIsRegisteredAndOfSeveralIsRefused() throws {
        let h = try CLIHarness()
        let one =
            #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"ruộng 2"},"geometry":{"type":"Point","coordinates":[106.5133,10.6021]}}]}"#
        let added = try h.run(
            "plot", "add", "--key", "htx-tan-lap.key", "--id", "P-002", "--farm", "trang-trai-bay", "--area-ha", "0.8", "--crop",
            "lúa",
            "--geometry", one)
        #expect(added.status == 0, "\(added.stderr)")
        let two =
            #"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[106.5,10.6]}},{"type":"Feature","geometry":{"type":"Point","coordinates":[106.6,10.6]}}]}"#
        let refused = try h.run(
            "plot", "add", "--key", "htx-tan-lap.key", "--id", "P-003", "--farm", "trang-trai-bay", "--area-ha", "0.8", "--crop",
            "lúa",
            "--geometry", two)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("holds 2 features"), "\(refused.stderr)")
    }
}
