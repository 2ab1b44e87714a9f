import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger

/// `trace ... --server URL`: the CLI signs with its own key and talks to a real `trace serve`;
/// answers and refusals read as they do on a local ledger.
struct RemoteCLITests {
    @Test func commandsAppendAndReadThroughTheServer() throws {
        let f = try ServerFixture()
        let url = f.server.url
        let add = try f.h.run(
            "add", "--server", url, "--key", "htx-tan-lap.key", "--lot", "LA-NET-1", "--product", "Lúa ST25", "--quantity", "900",
            "--unit", "kg", "--plot", "P-001", "--harvested", "2026-07-01")
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout.hasPrefix("entry \(CLIHarness.setupEntries):"), "\(add.stdout)")

        let lines = (2...4).map {
            #"{"type":"harvest","lot":"LA-NET-\#($0)","product":"Lúa ST25","quantity":"100","unit":"kg","plot":"P-001","harvested":"2026-07-01"}"#
        }
        let submit = try Command.run(
            Command.trace, ["submit", "--server", url, "--key", "htx-tan-lap.key", "--file", "-", "--json"],
            stdin: lines.joined(separator: "\n"), directory: f.h.directory)
        #expect(submit.status == 0, "\(submit.stderr)")
        #expect(try CanonicalJSON.parse(submit.stdout)["new"]?.intValue == 3)
        #expect(try f.ledgerSize() == UInt64(CLIHarness.setupEntries + 4))

        // Reads answer as the local ledger does.
        #expect(try f.h.json("show", "LA-NET-1", "--server", url) == (try f.h.json("show", "LA-NET-1")))
        #expect(try f.h.json("lineage", "LA-NET-2", "--server", url) == (try f.h.json("lineage", "LA-NET-2")))
        #expect(try f.h.run("show", "LA-NET-1", "--server", url).stdout.contains("lot LA-NET-1: Lúa ST25"))
        let checkpoint = try f.h.json("checkpoint", "--server", url)
        #expect(checkpoint["size"]?.intValue == CLIHarness.setupEntries + 4)
        let proof = try f.h.json("prove", "--entry", "5", "--server", url)
        #expect(try f.proves(proof))
        let consistency = try f.h.run("consistency", "--from", "1", "--server", url)
        #expect(consistency.status == 0, "\(consistency.stderr)")
    }

    @Test func refusalsExitTwoAndUnreachableServersExitThreeNamingTheReason() throws {
        let f = try ServerFixture()
        let refused = try f.h.run(
            "add", "--server", f.server.url, "--key", "htx-tan-lap.key", "--lot", "LA-NET-9", "--product", "Lúa ST25",
            "--quantity", "900", "--unit", "kg", "--plot", "P-404", "--harvested", "2026-07-01")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("[domain.unknown_plot]"), "\(refused.stderr)")
        let stranger = try f.h.run("keys", "new", "--name", "stranger", "--out", "stranger.key")
        #expect(stranger.status == 0)
        let unknownKey = try f.h.run(
            "ship", "--server", f.server.url, "--key", "stranger.key", "--lot", "LA-NET-9", "--to", "trang-trai-bay")
        #expect(unknownKey.status == 2)
        #expect(unknownKey.stderr.contains("[domain.key_not_valid]"), "\(unknownKey.stderr)")
        let local = try f.h.run("verify", "--server", f.server.url)
        #expect(local.status == 2)
        #expect(local.stderr.contains("--server"), "\(local.stderr)")
        let size = try f.ledgerSize()
        // Nothing listens on port 9: three attempts, then a one-line reason.
        let unreachable = try f.h.run("checkpoint", "--server", "http://127.0.0.1:9")
        // Exit 3, the server could not be reached (CLI.md), not the 2 of bad input: tools/chaos found it.
        #expect(unreachable.status == 3)
        #expect(unreachable.stderr.contains("did not answer after 3 attempts"), "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("[client.unreachable]"), "\(unreachable.stderr)")
        #expect(try f.ledgerSize() == size)
    }

    @Test func aBuyerVerifiesALotThroughTheServerWithoutTrustingIt() throws {
        let f = try ServerFixture()
        try f.h.appendEvents(2)
        let verified = try f.h.run("verify-lot", "LA-ST25-1", "--server", f.server.url, "--operator", f.h.operatorVKey)
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.hasPrefix("VERIFIED: lot LA-ST25-1"), "\(verified.stdout)")
        let local = try f.h.json("verify-lot", "LA-ST25-1")
        let remote = try f.h.json("verify-lot", "LA-ST25-1", "--server", f.server.url)
        #expect(remote["entriesChecked"] == local["entriesChecked"])
        #expect(remote["ok"] == .bool(true))
        // Another operator's key: the server's checkpoint is not that operator's.
        let other = try f.h.run("keys", "new", "--name", "longan.trace.example/ledger", "--out", "other.key")
        let wrongKey = try f.h.run(
            "verify-lot", "LA-ST25-1", "--server", f.server.url, "--operator",
            other.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(wrongKey.status == 1)
        #expect(wrongKey.stderr.contains("NOT VERIFIED"), "\(wrongKey.stderr)")

        // What a lying server could send instead: each change is caught by the client's check.
        let answer = try f.get("/v1/lots/LA-ST25-1/story").json()
        let note = try #require(answer["checkpoint"]?.stringValue)
        let items = try (answer["entries"]?.arrayValue ?? []).map { item in
            LotStory.Item(
                seq: UInt64(item["seq"]?.intValue ?? -1),
                bytes: item["entryBytes"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) },
                path: try (item["proof"]?.arrayValue ?? []).map { try Digest(hex: $0.stringValue ?? "") })
        }
        let key = try VerifierKey(f.h.operatorVKey)
        #expect(LotVerifier.check(LotStory(note: note, entries: items), lot: "LA-ST25-1", operatorKey: key).ok)
        var changed = items
        let last = changed.count - 1
        let text = String(decoding: changed[last].bytes ?? [], as: UTF8.self).replacingOccurrences(of: "1200", with: "9200")
        changed[last] = LotStory.Item(seq: changed[last].seq, bytes: Array(text.utf8), path: changed[last].path)
        #expect(!LotVerifier.check(LotStory(note: note, entries: changed), lot: "LA-ST25-1", operatorKey: key).ok)
        #expect(!LotVerifier.check(LotStory(note: note, entries: Array(items.reversed())), lot: "LA-ST25-1", operatorKey: key).ok)
        #expect(
            !LotVerifier.check(LotStory(note: note, entries: Array(items.dropFirst())), lot: "LA-ST25-1", operatorKey: key).ok)
    }
}
