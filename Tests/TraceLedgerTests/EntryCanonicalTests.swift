import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceCrypto

@testable import TraceLedger

/// Reading an entry checks its canonical spelling while parsing; these tests hold it to the
/// answer of the check it replaced (parse, re-encode the event, lay the entry out, compare).
struct EntryCanonicalTests {
    /// The former check: any entry that parses, whose re-encoded layout is exactly its bytes.
    static func reencodeAccepts(_ bytes: [UInt8], seq: UInt64) -> Bool {
        guard let entry = try? Entry(bytes: bytes, expectedSeq: seq, canonical: false),
            let event = try? CanonicalJSON.encode(entry.signed.event),
            let value = try? CanonicalJSON.parse(bytes), let keyText = value["key"]?.stringValue,
            let sigText = value["sig"]?.stringValue
        else { return false }
        let layout = Entry.layout(
            eventBytes: event, key: keyText, prev: entry.prev, recorded: entry.recorded, seq: entry.seq, sig: sigText)
        return layout == bytes
    }

    static func sample(seq: UInt64) throws -> Entry {
        let key = try PrivateKey(seed: [UInt8](repeating: 7, count: 32))
        let event: JSONValue = [
            "id": .string("harvest-\(seq)"), "type": "harvest", "lot": "LA-ST25-0001", "quantityKg": "1200.5",
            "farm": "Hợp tác xã \"Tân Lập\"", "plots": ["P-1", "P-2"], "count": 42, "organic": true, "note": nil,
        ]
        let signed = try SignedEvent.sign(event, with: key, keyName: "htx-tan-lap")
        return try Entry(seq: seq, recorded: "2026-07-01T08:05:00.000Z", prev: Merkle.leafHash([1]), signed: signed)
    }

    @Test func canonicalEntriesAreReadAndTheirEventSliceIsExact() throws {
        for seq: UInt64 in [0, 7, 123_456] {
            let entry = try Self.sample(seq: seq)
            let read = try Entry(bytes: entry.bytes, expectedSeq: seq)
            #expect(read.eventBytes == entry.eventBytes)
            #expect(read.signed == entry.signed)
            #expect(Self.reencodeAccepts(entry.bytes, seq: seq))
        }
    }

    @Test func upperCaseHexInPrevIsRefused() throws {
        let entry = try Self.sample(seq: 3)
        let text = String(decoding: entry.bytes, as: UTF8.self)
        let upper = text.replacingOccurrences(of: entry.prev.hex, with: entry.prev.hex.uppercased())
        #expect(upper != text)
        #expect(!Self.reencodeAccepts(Array(upper.utf8), seq: 3))
        #expect(throws: LedgerError.self) { try Entry(bytes: Array(upper.utf8), expectedSeq: 3) }
    }

    @Test func mutatedEntriesGetTheSameAnswerAsTheReencodeCheck() throws {
        var rng = SplitMix64(state: 17)
        let entry = try Self.sample(seq: 5)
        let edits: [[UInt8]] = [" ", "\n", "\\/", "\\u0041", ".0", "e0", "\u{301}", "é", "A", "0", ",\"a\":1", "\"", "}"].map {
            Array($0.utf8)
        }
        var accepted = 0
        for round in 0..<3000 {
            var bytes = entry.bytes
            for _ in 0..<Int.random(in: 1...2, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes.insert(contentsOf: edits.randomElement(using: &rng)!, at: at)
                case 1: bytes.remove(at: at)
                case 2: if at + 1 < bytes.count { bytes.swapAt(at, at + 1) }
                default:
                    // Same-value respellings that only a spelling check can catch.
                    let text = String(decoding: bytes, as: UTF8.self)
                    let respelt = [("42", "42.0"), ("\\\"", "\\u0022"), ("ợ", "o\u{31B}\u{323}"), ("true", "true ")]
                        .randomElement(using: &rng)!
                    bytes = Array(text.replacingOccurrences(of: respelt.0, with: respelt.1).utf8)
                }
            }
            let parsed = (try? Entry(bytes: bytes, expectedSeq: 5)) != nil
            let reencoded = Self.reencodeAccepts(bytes, seq: 5)
            #expect(parsed == reencoded, "round \(round): \(String(decoding: bytes, as: UTF8.self))")
            if parsed { accepted += 1 }
        }
        // Unchanged bytes come back now and then (a swap of equal bytes, say): both answers occur.
        #expect(accepted < 3000)
    }
}
