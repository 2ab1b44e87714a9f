import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceClient
import TraceCrypto
import TraceDomain
import TraceLedger

/// `RemoteLedger` against a real `trace serve`: signed writes land and read back, refusals carry
/// the server's code, and an answer changed on the way is caught before it is believed.
struct RemoteLedgerTests {
    /// A ledger made by the real CLI, a real server over it, and the cooperative's key.
    struct Served {
        let h: CLIHarness
        let server: ServerProcess
        let key: PrivateKey
        let operatorKey: VerifierKey

        init() throws {
            h = try CLIHarness()
            server = try ServerProcess(["--ledger", h.ledger], directory: h.directory)
            key = try PrivateKey(contentsOfFile: h.directory + "/htx-tan-lap.key")
            operatorKey = try VerifierKey(h.operatorVKey)
        }

        var remote: RemoteLedger { RemoteLedger(server.url) }

        /// The server, with every answer to `path` passed through `change` first.
        func lying(about path: String, _ change: @escaping @Sendable (Data) -> Data) -> RemoteLedger {
            RemoteLedger(server.url) { request in
                let answer = try RemoteFetch.send(request)
                return request.url.hasSuffix(path) ? (answer.status, change(answer.body)) : answer
            }
        }
    }

    static let harvest: [String: JSONValue] = [
        "lot": "LA-CLI-1", "product": "Lúa ST25", "quantity": "900", "unit": "kg", "plot": "P-001", "harvested": "2026-07-01",
    ]

    @Test func aSignedHarvestRoundTripsThroughTheServerAndItsStoryVerifies() throws {
        let s = try Served()
        let signer = try s.remote.signer(for: s.key)
        #expect(signer.party == "htx-tan-lap")
        let result = try s.remote.append("harvest", Self.harvest, id: "ev-la-cli-1", key: s.key)
        #expect(result.entry.seq == UInt64(CLIHarness.setupEntries))
        #expect(!result.duplicate)
        // A retry over a flaky link: the same signed event gives the same entry, not a second one.
        let again = try s.remote.submit([result.entry.signed])
        #expect(again[0].duplicate && again[0].entry.seq == result.entry.seq)

        let lot = try s.remote.json("/v1/lots/" + RemoteLedger.segment("LA-CLI-1"))
        #expect(lot["heldKg"]?.stringValue == "900")
        let checkpoint = try s.remote.checkpoint(trusting: s.operatorKey)
        #expect(checkpoint.size == UInt64(CLIHarness.setupEntries + 1))
        #expect(try s.remote.operatorKey() == s.operatorKey)
        let story = try RemoteLedger.story(try s.remote.json("/v1/lots/LA-CLI-1/story"))
        #expect(LotVerifier.check(story, lot: "LA-CLI-1", operatorKey: s.operatorKey).ok)
    }

    @Test func aRefusalCarriesTheServersCodeAndNothingIsWritten() throws {
        let s = try Served()
        var fields = Self.harvest
        fields["plot"] = "P-404"
        let error = try #require(throws: RemoteError.self) { try s.remote.append("harvest", fields, key: s.key) }
        #expect(error.code == .refused)
        #expect(error.serverCode == "domain.unknown_plot")
        #expect(try s.remote.checkpoint(trusting: s.operatorKey).size == UInt64(CLIHarness.setupEntries))
        let stranger = try PrivateKey.generate()
        #expect(throws: RemoteError.self) { try s.remote.signer(for: stranger) }
        let nowhere = try #require(throws: RemoteError.self) { try RemoteLedger("ftp://127.0.0.1").text("/v1/checkpoint") }
        #expect(nowhere.code == .badURL)
    }

    @Test func anEntryChangedOnTheWayBackIsCaught() throws {
        let s = try Served()
        // The server answers with other bytes than it hashed: a kilogram figure changed.
        let lying = s.lying(about: "/v1/events") { body in
            guard var answer = try? CanonicalJSON.parse([UInt8](body)),
                case .object(var inclusion) = answer["inclusion"] ?? .null,
                let bytes = inclusion["entryBytes"]?.stringValue.flatMap({ Data(base64Encoded: $0) })
            else { return body }
            let changed = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"900\"", with: "\"9000\"")
            inclusion["entryBytes"] = .string(Data(changed.utf8).base64EncodedString())
            if case .object(var o) = answer {
                o["inclusion"] = .object(inclusion)
                answer = .object(o)
            }
            return Data((try? CanonicalJSON.encode(answer)) ?? [])
        }
        let error = try #require(throws: RemoteError.self) { try lying.append("harvest", Self.harvest, key: s.key) }
        #expect(error.code == .tampered, "\(error)")
    }

    @Test func aCheckpointNotSignedByTheTrustedOperatorIsRefused() throws {
        let s = try Served()
        let other = try VerifierKey(name: "longan.trace.example/ledger", publicKey: try PrivateKey.generate().publicKey)
        let error = try #require(throws: RemoteError.self) { try s.remote.checkpoint(trusting: other) }
        #expect(error.code == .tampered)
        // A story whose entry was changed no longer verifies against the operator's checkpoint.
        _ = try s.remote.append("harvest", Self.harvest, key: s.key)
        let lying = s.lying(about: "/story") { body in
            guard case .object(var answer) = (try? CanonicalJSON.parse([UInt8](body))) ?? .null,
                let entries = answer["entries"]?.arrayValue
            else { return body }
            answer["entries"] = .array(
                entries.map { item in
                    guard case .object(var o) = item, let text = o["entryBytes"]?.stringValue,
                        let bytes = Data(base64Encoded: text)
                    else { return item }
                    let changed = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"900\"", with: "\"9000\"")
                    o["entryBytes"] = .string(Data(changed.utf8).base64EncodedString())
                    return .object(o)
                })
            return Data((try? CanonicalJSON.encode(.object(answer))) ?? [])
        }
        let story = try RemoteLedger.story(try lying.json("/v1/lots/LA-CLI-1/story"))
        #expect(!LotVerifier.check(story, lot: "LA-CLI-1", operatorKey: s.operatorKey).ok)
    }
}
