import Foundation
import TestSupport
import Testing
import TraceCrypto

struct KeyFileTests {
    @Test func keyWeWriteIsReadByOpenSSLWithMode0600() throws {
        let dir = try Scratch.directory()
        let path = dir + "/party.key"
        let key = try PrivateKey.generate()
        try key.write(toFile: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let check = try Command.run("openssl", ["pkey", "-in", path, "-noout"])
        #expect(check.status == 0, "openssl pkey: \(check.stderr)")
        // openssl's view of the public key is ours.
        let der = dir + "/pub.der"
        let pub = try Command.run("openssl", ["pkey", "-in", path, "-pubout", "-outform", "DER", "-out", der])
        #expect(pub.status == 0)
        let derBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: der)))
        #expect(Array(derBytes.suffix(32)) == key.publicKey.bytes)
        // The file round-trips through our reader.
        #expect(try PrivateKey(contentsOfFile: path).publicKey == key.publicKey)
        // A key file is never overwritten.
        #expect(throws: CryptoError.self) { try PrivateKey.generate().write(toFile: path) }
    }

    @Test func keyOpenSSLWritesIsReadByUsAndItsSignaturesVerify() throws {
        let dir = try Scratch.directory()
        let path = dir + "/openssl.key"
        let gen = try Command.run("openssl", ["genpkey", "-algorithm", "ed25519", "-out", path])
        #expect(gen.status == 0, "openssl genpkey: \(gen.stderr)")
        let key = try PrivateKey(contentsOfFile: path)
        let message = Array("thanh long ruột đỏ".utf8)
        try Data(message).write(to: URL(fileURLWithPath: dir + "/msg"))
        // OpenSSL signs; we verify.
        let sign = try Command.run(
            "openssl", ["pkeyutl", "-sign", "-inkey", path, "-rawin", "-in", dir + "/msg", "-out", dir + "/sig"])
        #expect(sign.status == 0, "openssl pkeyutl: \(sign.stderr)")
        let signature = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/sig")))
        #expect(key.publicKey.isValidSignature(signature, for: message))
        // We sign; OpenSSL verifies.
        try Data(try key.sign(message)).write(to: URL(fileURLWithPath: dir + "/oursig"))
        _ = try Command.run("openssl", ["pkey", "-in", path, "-pubout", "-out", dir + "/pub.pem"])
        let verify = try Command.run(
            "openssl",
            [
                "pkeyutl", "-verify", "-pubin", "-inkey", dir + "/pub.pem", "-rawin",
                "-in", dir + "/msg", "-sigfile", dir + "/oursig",
            ])
        #expect(verify.status == 0, "openssl verify: \(verify.stdout) \(verify.stderr)")
    }

    @Test func garbageAndOtherKeyTypesAreRefused() throws {
        #expect(throws: CryptoError.self) { try PrivateKey(pem: "not a key") }
        let dir = try Scratch.directory()
        let rsa = dir + "/ec.key"
        let gen = try Command.run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", rsa])
        #expect(gen.status == 0)
        #expect(throws: CryptoError.self) { try PrivateKey(contentsOfFile: rsa) }
        #expect(throws: CryptoError.self) { try PrivateKey(contentsOfFile: dir + "/missing.key") }
    }
}
