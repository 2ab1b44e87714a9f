import CanonicalJSON
import Foundation
import Testing
import TraceCrypto

@testable import TraceLedger

struct EntryTests {
    /// The entry layout built member by member is exactly RFC 8785 of the whole object, and the
    /// event slice of stored bytes is exactly the event's canonical form.
    @Test(arguments: [UInt64(0), 9, 10, 123_456, 9_007_199_254_740_991])
    func layoutIsTheCanonicalObject(seq: UInt64) throws {
        let key = try PrivateKey.generate()
        let event: JSONValue = [
            "id": "ev-1", "type": "harvest", "note": "Hợp tác xã \"Tân Lập\"\n\\ tab\t",
            "nested": ["key": "not the entry's key", "list": [1, 2, 3]], "Ω": "omega",
        ]
        for name in ["htx-tan-lap", "nông-hộ-bảy", "a\"b"] where (try? VerifierKey.checkName(name)) != nil {
            let signed = try SignedEvent.sign(event, with: key, keyName: name)
            let entry = try Entry(seq: seq, recorded: "2026-07-01T08:05:00.000Z", prev: Merkle.leafHash([1]), signed: signed)
            let object: JSONValue = [
                "v": 1, "seq": .number(Double(seq)), "recorded": "2026-07-01T08:05:00.000Z",
                "prev": .string(Merkle.leafHash([1]).hex),
                "event": event, "key": .string(signed.key.description),
                "sig": .string(Data(signed.signature).base64EncodedString()),
            ]
            #expect(entry.bytes == (try CanonicalJSON.encode(object)))
            #expect(entry.eventBytes == (try CanonicalJSON.encode(event)))
            let trusted = try Entry(bytes: entry.bytes, expectedSeq: seq, canonical: false)
            #expect(trusted.eventBytes == entry.eventBytes)
            #expect(key.publicKey.isValidSignature(signed.signature, for: trusted.signedMessage))
        }
    }

    /// The event slice of canonical bytes ends at the entry's own "key" member, even when the
    /// event itself holds the text `,"key":` (a member named "key" after another, at any depth).
    @Test func eventSliceEndsAtTheEntryKeyNotAnEventKey() throws {
        let key = try PrivateKey.generate()
        let event: JSONValue = [
            "id": "ev-2", "type": "operator.rotate", "key": "ed25519:x", "nested": ["a": 1, "key": ",\"key\":"],
        ]
        let signed = try SignedEvent.sign(event, with: key, keyName: "htx-tan-lap")
        let entry = try Entry(seq: 7, recorded: "2026-07-01T08:05:00.000Z", prev: Merkle.leafHash([1]), signed: signed)
        let checked = try Entry(bytes: entry.bytes, expectedSeq: 7)
        #expect(checked.eventBytes == (try CanonicalJSON.encode(event)))
        #expect(key.publicKey.isValidSignature(signed.signature, for: checked.signedMessage))
    }
}
