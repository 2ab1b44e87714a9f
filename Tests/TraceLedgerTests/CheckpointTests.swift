import Foundation
import Testing
import TraceCrypto

@testable import TraceLedger

struct CheckpointTests {
    @Test func goSignedNoteOpensWithItsKey() throws {
        let note =
            "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
        let key = try VerifierKey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
        let parsed = try SignedNote(parsing: note)
        #expect(
            try parsed.open(with: key)
                == "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n")
        #expect(parsed.encoded == note)
        let changed = try SignedNote(parsing: note.replacingOccurrences(of: "cryptography", with: "cryptographY"))
        #expect(throws: LedgerError.self) { try changed.open(with: key) }
        let stranger = try VerifierKey(name: "PeterNeumann", publicKey: try PrivateKey.generate().publicKey)
        #expect(throws: LedgerError.self) { try parsed.open(with: stranger) }
    }

    @Test func checkpointTextRoundTripsAndSigns() throws {
        let key = try PrivateKey.generate()
        let vkey = try VerifierKey(name: "tayninh.trace.example/ledger", publicKey: key.publicKey)
        let root = Merkle.leafHash(Array("x".utf8))
        let checkpoint = Checkpoint(origin: vkey.name, size: 1_000_000, root: root)
        #expect(checkpoint.text == "tayninh.trace.example/ledger\n1000000\n\(Data(root.bytes).base64EncodedString())\n")
        let note = try checkpoint.sign(with: key, as: vkey).encoded
        #expect(note.hasPrefix(checkpoint.text + "\n— tayninh.trace.example/ledger "))
        #expect(try Checkpoint.open(note, operatorKey: vkey) == checkpoint)
        // One changed digit of the size breaks the signature.
        #expect(throws: LedgerError.self) {
            try Checkpoint.open(note.replacingOccurrences(of: "1000000", with: "1000001"), operatorKey: vkey)
        }
    }

    @Test func malformedCheckpointsAreRefused() {
        let root = Data(repeating: 7, count: 32).base64EncodedString()
        for text in [
            "origin\n", "origin\n01\n\(root)\n", "origin\n-1\n\(root)\n", "origin\n5\nnotbase64\n",
            "\n5\n\(root)\n", "origin\n5\n\(root)", "origin\n5\n\(root)\n\nextension\n",
        ] {
            #expect(throws: LedgerError.self, "\(text.debugDescription)") { try Checkpoint(text: text) }
        }
        #expect(throws: Never.self) { try Checkpoint(text: "origin\n5\n\(root)\nextension line\n") }
    }

    /// tools/fuzz (target note): a root whose last base64 character carries stray low bits decoded
    /// to the same 32 bytes, so one checkpoint had two texts. Only the canonical one is read.
    @Test func aRootInNonCanonicalBase64IsRefused() {
        let canonical = "OI6cC2bAdU13/uMseJJ+Nfe3bQb3oNGtq+R44emUOsA="
        #expect(throws: Never.self) { try Checkpoint(text: "tayninh.trace.example/ledger\n97\n\(canonical)\n") }
        for stray in ["OI6cC2bAdU13/uMseJJ+Nfe3bQb3oNGtq+R44emUOsC=", "OI6cC2bAdU13/uMseJJ+Nfe3bQb3oNGtq+R44emUOsB="] {
            #expect(Data(base64Encoded: stray) == Data(base64Encoded: canonical))
            #expect(throws: LedgerError.self) { try Checkpoint(text: "tayninh.trace.example/ledger\n97\n\(stray)\n") }
        }
    }

    @Test func timestampsParseAndFormat() {
        #expect(Timestamp.format(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.parse("2026-11-25T19:45:43.123Z") == 1_795_635_943_123)
        #expect(Timestamp.format(milliseconds: 1_795_635_943_123) == "2026-11-25T19:45:43.123Z")
        #expect(Timestamp.parse("2026-11-26T02:45:43.123+07:00") == 1_795_635_943_123)
        for bad in ["2026-02-30T00:00:00Z", "2026-11-25 19:45:43Z", "2026-11-25T19:45:43", "yesterday", "2026-11-25T19:45:43.Z"] {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
    }
}
