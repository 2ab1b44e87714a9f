import Testing
import TraceCrypto

struct SHA256Tests {
    struct Vector: Decodable, CustomTestStringConvertible {
        let name: String, message: String, `repeat`: Int, digest: String
        var testDescription: String { name }
    }

    static let vectors = (try? Vectors.load("sha256", as: [Vector].self)) ?? []

    @Test func vectorsLoaded() { #expect(Self.vectors.count == 4) }

    @Test(arguments: vectors)
    func oneShot(_ v: Vector) {
        let message = [UInt8](repeating: 0, count: 0) + Array(String(repeating: v.message, count: v.repeat).utf8)
        #expect(SHA256.hash(message).hex == v.digest)
    }

    @Test(arguments: vectors)
    func streamingInOddPieces(_ v: Vector) {
        let hasher = SHA256.Hasher()
        let message = Array(String(repeating: v.message, count: v.repeat).utf8)
        var i = 0
        var step = 1
        while i < message.count {
            let end = min(message.count, i + step)
            hasher.update(Array(message[i..<end]))
            i = end
            step = step * 3 + 1
        }
        #expect(hasher.finalize().hex == v.digest)
        // finalize resets: the same hasher serves the next message.
        hasher.update(Array("abc".utf8))
        #expect(hasher.finalize().hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func digestRefusesWrongLengths() {
        #expect(throws: CryptoError.self) { try Digest(bytes: [1, 2, 3]) }
        #expect(throws: CryptoError.self) { try Digest(hex: "abc") }
        #expect(throws: CryptoError.self) { try Digest(hex: String(repeating: "zz", count: 32)) }
    }
}
