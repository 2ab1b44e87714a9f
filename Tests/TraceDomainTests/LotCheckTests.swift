import ChainFixtures
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceDomain
import TraceLedger

/// `LotVerifier.check` judges a story only once its checkpoint's signature verifies, though that
/// signature is now checked on the workers beside the entries'.
struct LotCheckTests {
    @Test(arguments: StoreKind.allCases) func aStoryIsJudgedOnlyAgainstACheckpointTheOperatorSigned(_ store: StoreKind) throws {
        let f = try ChainFixture(store: store)
        try f.harvest("LC-1")
        _ = try f.chain.ledger.checkpoint(signingWith: f.operatorKey)
        let operatorKey = f.chain.ledger.metadata.operatorKey
        let verifier = LotVerifier(chain: f.chain)
        let story = try verifier.story(lot: "LC-1")
        #expect(LotVerifier.check(story, lot: "LC-1", operatorKey: operatorKey).ok)

        // The same note with one signature byte flipped: refused, naming the checkpoint.
        var note = try SignedNote(parsing: story.note)
        var bytes = note.signatures[0].signature
        bytes[10] ^= 0x01
        note = SignedNoteProbe.replacing(note, signature: bytes)
        let flipped = LotVerifier.check(
            LotStory(note: note.encoded, entries: story.entries), lot: "LC-1", operatorKey: operatorKey)
        #expect(flipped.failure?.reason.contains("checkpoint does not verify") == true, "\(String(describing: flipped.failure))")
        #expect(flipped.failure?.entry == nil)

        // A note signed by another key under the operator's name: refused the same way.
        let impostor = try PrivateKey.generate()
        let forged = try Checkpoint(text: note.text).sign(
            with: impostor, as: try VerifierKey(name: operatorKey.name, publicKey: impostor.publicKey))
        let other = LotVerifier.check(
            LotStory(note: forged.encoded, entries: story.entries), lot: "LC-1", operatorKey: operatorKey)
        #expect(other.failure?.reason.contains("checkpoint does not verify") == true)
    }
}

/// Rebuilds a signed note with another signature value, as a forger would.
enum SignedNoteProbe {
    static func replacing(_ note: SignedNote, signature: [UInt8]) -> SignedNote {
        let line = note.signatures[0]
        let encoded =
            note.text + "\n\u{2014} \(line.name) " + Data(line.keyHash + signature).base64EncodedString() + "\n"
        return (try? SignedNote(parsing: encoded)) ?? note
    }
}
