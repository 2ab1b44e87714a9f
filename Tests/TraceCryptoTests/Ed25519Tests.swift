import Testing
import TraceCrypto

struct Ed25519Tests {
    struct Vector: Decodable, CustomTestStringConvertible {
        let name: String, secret: String, `public`: String, message: String, signature: String
        var testDescription: String { name }
    }

    static let vectors = (try? Vectors.load("rfc8032-ed25519", as: [Vector].self)) ?? []

    @Test func vectorsLoaded() { #expect(Self.vectors.count == 4) }

    @Test(arguments: vectors)
    func knownAnswer(_ v: Vector) throws {
        let key = try PrivateKey(seed: Vectors.hex(v.secret))
        #expect(key.publicKey.bytes == Vectors.hex(v.public))
        let signature = try key.sign(Vectors.hex(v.message))
        #expect(signature == Vectors.hex(v.signature))
        let publicKey = try PublicKey(bytes: Vectors.hex(v.public))
        #expect(publicKey.isValidSignature(Vectors.hex(v.signature), for: Vectors.hex(v.message)))
    }

    @Test(arguments: vectors)
    func tamperingIsRefused(_ v: Vector) throws {
        let publicKey = try PublicKey(bytes: Vectors.hex(v.public))
        var signature = Vectors.hex(v.signature)
        signature[5] ^= 0x01
        #expect(!publicKey.isValidSignature(signature, for: Vectors.hex(v.message)))
        let message = Vectors.hex(v.message) + [0]
        #expect(!publicKey.isValidSignature(Vectors.hex(v.signature), for: message))
        #expect(!publicKey.isValidSignature(Array(Vectors.hex(v.signature).dropLast()), for: Vectors.hex(v.message)))
    }

    @Test func generatedKeysSignAndVerify() throws {
        let a = try PrivateKey.generate()
        let b = try PrivateKey.generate()
        #expect(a.publicKey != b.publicKey)
        let message = Array("Hợp tác xã Tân Lập".utf8)
        let signature = try a.sign(message)
        #expect(a.publicKey.isValidSignature(signature, for: message))
        #expect(!b.publicKey.isValidSignature(signature, for: message))
    }

    @Test func parallelVerifyNamesTheFirstFailureWhicheverThreadFindsIt() throws {
        let key = try PrivateKey.generate()
        var checks: [SignatureCheck] = []
        for i in 0..<600 {
            let message = Array("entry \(i)".utf8)
            checks.append(SignatureCheck(signature: try key.sign(message), message: message, key: key.publicKey))
        }
        #expect(ParallelVerifier.firstFailure(checks, workers: 4) == nil)
        for bad in [0, 1, 299, 300, 301, 599] {
            var broken = checks
            broken[bad] = SignatureCheck(signature: checks[bad].signature, message: Array("forged".utf8), key: key.publicKey)
            #expect(ParallelVerifier.firstFailure(broken, workers: 4) == bad)
            #expect(ParallelVerifier.firstFailure(broken, workers: 1) == bad)
            // A second, later failure does not hide the first.
            broken[599] = SignatureCheck(signature: [UInt8](repeating: 0, count: 64), message: [], key: key.publicKey)
            #expect(ParallelVerifier.firstFailure(broken, workers: 2) == bad)
        }
        #expect(ParallelVerifier.firstFailure([], workers: 2) == nil)
    }

    @Test(arguments: [false, true])
    func oneVerifierGivesTheRightAnswerForEachSignatureInARun(reinitialise: Bool) throws {
        let key = try PrivateKey.generate()
        let verifier = SignatureVerifier()
        verifier.reinitialisesEachCheck = reinitialise
        let messages = (0..<20).map { Array("lot LA-ST25-\($0)".utf8) }
        let signatures = try messages.map { try key.sign($0) }
        for i in 0..<20 {
            // Valid, forged and valid again, on one context: no answer leaks into the next.
            #expect(verifier.verify(signature: signatures[i], message: messages[i], key: key.publicKey))
            #expect(!verifier.verify(signature: signatures[(i + 1) % 20], message: messages[i], key: key.publicKey))
            #expect(!verifier.verify(signature: [UInt8](repeating: 0xff, count: 64), message: messages[i], key: key.publicKey))
        }
        #expect(verifier.verify(signature: signatures[3], message: messages[3], key: key.publicKey))
    }

    @Test func oneVerifierChecksSignaturesByAlternatingKeys() throws {
        let keys = try (0..<3).map { _ in try PrivateKey.generate() }
        let verifier = SignatureVerifier()
        for i in 0..<12 {
            let key = keys[i % 3]
            let message = Array("event \(i)".utf8)
            let signature = try key.sign(message)
            #expect(verifier.verify(signature: signature, message: message, key: key.publicKey), "signature \(i)")
            #expect(!verifier.verify(signature: signature, message: message, key: keys[(i + 1) % 3].publicKey))
        }
    }
}
