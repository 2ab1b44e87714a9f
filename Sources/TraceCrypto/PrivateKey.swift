import COpenSSL
import Foundation
import Glibc

/// An Ed25519 private key held by libcrypto.
/// @unchecked Sendable: the EVP_PKEY is never mutated after creation, and OpenSSL allows
/// concurrent signing with one key as long as each thread uses its own EVP_MD_CTX.
public final class PrivateKey: @unchecked Sendable {
    let pkey: OpaquePointer
    /// The matching public key.
    public let publicKey: PublicKey

    private init(pkey: OpaquePointer) throws {
        var length = 32
        var raw = [UInt8](repeating: 0, count: 32)
        guard EVP_PKEY_get_raw_public_key(pkey, &raw, &length) == 1, let key = try? PublicKey(bytes: raw) else {
            EVP_PKEY_free(pkey)
            throw OpenSSL.failure("EVP_PKEY_get_raw_public_key")
        }
        self.pkey = pkey
        self.publicKey = key
    }

    deinit { EVP_PKEY_free(pkey) }

    /// A new random key from the system's CSPRNG (through libcrypto).
    public static func generate() throws -> PrivateKey {
        let context = try OpenSSL.check(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil), "EVP_PKEY_CTX_new_id")
        defer { EVP_PKEY_CTX_free(context) }
        try OpenSSL.check(EVP_PKEY_keygen_init(context), "EVP_PKEY_keygen_init")
        var made: OpaquePointer?
        try OpenSSL.check(EVP_PKEY_keygen(context, &made), "EVP_PKEY_keygen")
        return try PrivateKey(pkey: OpenSSL.check(made, "EVP_PKEY_keygen"))
    }

    /// The key whose RFC 8032 32-byte seed is `seed` (for known-answer tests and key import).
    public convenience init(seed: [UInt8]) throws {
        guard seed.count == 32 else {
            throw CryptoError(.badLength, "an Ed25519 private key seed is 32 bytes, got \(seed.count)")
        }
        let pkey = try seed.withUnsafeBufferPointer {
            try OpenSSL.check(
                EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32),
                "EVP_PKEY_new_raw_private_key")
        }
        try self.init(pkey: pkey)
    }

    /// Reads a PKCS#8 PEM private key ("BEGIN PRIVATE KEY"), as `openssl genpkey -algorithm ed25519` writes.
    public convenience init(pem: String) throws {
        let bio = try OpenSSL.check(BIO_new(BIO_s_mem()), "BIO_new")
        defer { BIO_free(bio) }
        let bytes = Array(pem.utf8)
        let written = bytes.withUnsafeBufferPointer { BIO_write(bio, $0.baseAddress, Int32($0.count)) }
        guard written == Int32(bytes.count) else { throw OpenSSL.failure("BIO_write") }
        // A password callback that declines: an encrypted key is refused, never a terminal prompt.
        guard let pkey = PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil) else {
            OpenSSL.clearErrors()
            throw CryptoError(
                .badKeyFile, "not an unencrypted PEM private key (expected \"-----BEGIN PRIVATE KEY-----\")")
        }
        guard EVP_PKEY_get_id(pkey) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(pkey)
            throw CryptoError(.badKeyFile, "the PEM key is not an Ed25519 key")
        }
        try self.init(pkey: pkey)
    }

    /// Reads a PEM key file.
    public convenience init(contentsOfFile path: String) throws {
        // As ssh does: a private key others can read may already be someone else's key.
        if let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int,
            mode & 0o077 != 0
        {
            throw CryptoError(
                .badKeyFile,
                "key file \(path) can be read by other users (mode \(String(mode & 0o777, radix: 8))); run: chmod 600 \(path)")
        }
        guard let text = FileIO.readText(path) else {
            throw CryptoError(.badKeyFile, "cannot read key file \(path)")
        }
        do { try self.init(pem: text) } catch let error as CryptoError {
            throw CryptoError(error.code, "key file \(path): \(error.message)")
        }
    }

    /// The key as PKCS#8 PEM, unencrypted.
    public func pem() throws -> String {
        let bio = try OpenSSL.check(BIO_new(BIO_s_mem()), "BIO_new")
        defer { BIO_free(bio) }
        try OpenSSL.check(PEM_write_bio_PKCS8PrivateKey(bio, pkey, nil, nil, 0, nil, nil), "PEM_write_bio_PKCS8PrivateKey")
        var data: UnsafeMutablePointer<CChar>?
        let length = trace_bio_mem_data(bio, &data)
        guard let data, length > 0 else { throw OpenSSL.failure("BIO_get_mem_data") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    /// Writes the key as PKCS#8 PEM to a new file with mode 0600; refuses to overwrite.
    public func write(toFile path: String) throws {
        try FileIO.createPrivate(path, contents: Array(try pem().utf8))
    }

    /// Signs `message` (pure Ed25519, RFC 8032).
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        let context = try OpenSSL.check(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
        defer { EVP_MD_CTX_free(context) }
        try OpenSSL.check(EVP_DigestSignInit(context, nil, nil, nil, pkey), "EVP_DigestSignInit")
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        try message.withUnsafeBufferPointer { msg in
            try OpenSSL.check(EVP_DigestSign(context, &signature, &length, msg.baseAddress, msg.count), "EVP_DigestSign")
        }
        return signature
    }
}
