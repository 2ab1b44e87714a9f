import Foundation
import Testing
import TraceCrypto

struct VerifierKeyTests {
    struct NoteVector: Decodable {
        let signerKey: String, verifierKey: String, text: String, signatureLine: String
    }

    @Test func goSignedNoteVectorReproducedByteForByte() throws {
        let v = try Vectors.load("signed-note", as: NoteVector.self)
        // The signer key is PRIVATE+KEY+name+hash+base64(0x01 || seed).
        let seed = Array(Data(base64Encoded: String(v.signerKey.split(separator: "+", maxSplits: 4)[4]))!.dropFirst())
        let key = try PrivateKey(seed: seed)
        let vkey = try VerifierKey(name: "PeterNeumann", publicKey: key.publicKey)
        #expect(vkey.description == v.verifierKey)
        #expect(try VerifierKey(v.verifierKey) == vkey)
        let signature = try key.sign(Array(v.text.utf8))
        let line = "— PeterNeumann " + Data(vkey.keyHash + signature).base64EncodedString() + "\n"
        #expect(line == v.signatureLine)
    }

    @Test func malformedVerifierKeysAreRefusedWithAReason() throws {
        let good = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        for bad in [
            "PeterNeumann+c74f20a3",  // too few parts
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // wrong hash
            "PeterNeumanm+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // wrong name for the hash
            "PeterNeumann+c74f20a3+AhpcQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // not 33 bytes
            "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // space in name
            "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // empty name
        ] {
            #expect(throws: CryptoError.self, "\(bad)") { try VerifierKey(bad) }
        }
        #expect(throws: Never.self) { try VerifierKey(good) }
        // transparency-dev/formats' test key, whose base64 contains a "+".
        #expect(try VerifierKey("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6").name == "TEST")
    }

    @Test func theParsedKeyCacheGivesTheSameKeysAndTheSameRefusals() throws {
        let good = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        let wrongHash = "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        for _ in 0..<2 {
            #expect(try VerifierKey.parsing(good) == VerifierKey(good))
            // A refused key is never remembered as accepted, however often it is asked for.
            #expect(throws: CryptoError.self) { try VerifierKey.parsing(wrongHash) }
        }
    }
}
