import CanonicalJSON
import Foundation
import Testing
import TraceCrypto

@testable import TraceLedger

/// The worked example of docs/FORMAT.md, rebuilt from its fixed inputs: every value the
/// document prints must be what the code produces, so the document cannot drift.
struct FormatExampleTests {
    struct Example {
        var values: [(String, String)] = []
    }

    static func build() throws -> [(String, String)] {
        var out: [(String, String)] = []
        // RFC 8032 section 7.1 TEST 1 and TEST 2 keys: public, so anyone can recompute.
        let operatorKey = try PrivateKey(seed: Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!)
        let partyKey = try PrivateKey(seed: Hex.decode("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")!)
        let origin = "example.trace/ledger"
        let operatorVKey = try VerifierKey(name: origin, publicKey: operatorKey.publicKey)
        out.append(("operator verifier key", operatorVKey.description))
        out.append(("party verifier key", try VerifierKey(name: "htx-tan-lap", publicKey: partyKey.publicKey).description))

        let genesis = try SignedEvent.sign(
            [
                "id": "genesis-example", "type": "ledger.genesis", "time": "2026-07-01T08:00:00.000Z",
                "origin": .string(origin), "operator": .string(operatorVKey.description),
            ], with: operatorKey, keyName: origin)
        let harvest = try SignedEvent.sign(
            [
                "id": "ev-0001", "type": "example.harvest", "time": "2026-07-01T07:30:00.000+07:00",
                "lot": "LA-ST25-0007", "product": "Lúa ST25", "quantity": "1200.5", "unit": "kg",
            ], with: partyKey, keyName: "htx-tan-lap")
        let ship = try SignedEvent.sign(
            [
                "id": "ev-0002", "type": "example.ship", "time": "2026-07-02T09:00:00.000+07:00",
                "lot": "LA-ST25-0007", "to": "nha-may-xay-xat",
            ], with: partyKey, keyName: "htx-tan-lap")

        out.append(("event 1 canonical", try CanonicalJSON.string(harvest.event)))
        out.append(("event 1 signed message sha256", SHA256.hash(try SignedEvent.message(for: harvest.event)).hex))
        out.append(("event 1 signature", Data(harvest.signature).base64EncodedString()))

        var prev = Digest.zero
        var leaves: [Digest] = []
        let times = ["2026-07-01T08:00:00.000Z", "2026-07-01T08:05:00.000Z", "2026-07-02T09:01:00.000Z"]
        for (i, signed) in [genesis, harvest, ship].enumerated() {
            let entry = try Entry(seq: UInt64(i), recorded: times[i], prev: prev, signed: signed)
            out.append(("entry \(i) bytes", String(decoding: entry.bytes, as: UTF8.self)))
            prev = entry.leafHash()
            leaves.append(prev)
            out.append(("leaf hash \(i)", prev.hex))
        }
        let node01 = Merkle.nodeHash(leaves[0], leaves[1])
        out.append(("node [0,2)", node01.hex))
        let root = Merkle.nodeHash(node01, leaves[2])
        out.append(("root of 3", root.hex))
        out.append(("root of 3 base64", Data(root.bytes).base64EncodedString()))
        out.append(("inclusion proof of entry 1 in 3", "\(leaves[0].hex) \(leaves[2].hex)"))
        out.append(("consistency proof 2 to 3", leaves[2].hex))
        let note = try Checkpoint(origin: origin, size: 3, root: root).sign(with: operatorKey, as: operatorVKey).encoded
        out.append(("checkpoint note", note))
        return out
    }

    @Test func documentShowsWhatTheCodeComputes() throws {
        let doc = try String(
            contentsOfFile: #filePath.replacingOccurrences(
                of: "Tests/TraceLedgerTests/FormatExampleTests.swift", with: "docs/FORMAT.md"), encoding: .utf8)
        for (name, value) in try Self.build() {
            // Long values are wrapped in the document's code blocks only at their own spaces.
            for piece in value.split(separator: "\n") {
                #expect(doc.contains(piece), "docs/FORMAT.md lacks \(name): \(piece)")
            }
        }
    }
}
