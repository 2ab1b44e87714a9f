import CanonicalJSON
import Foundation
public import TraceCrypto

/// A salted SHA-256 commitment to one piece of a natural person's personal data. Only the
/// commitment enters the ledger; the value and its salt live beside it and can be erased
/// ("crypto-shredding") without breaking any hash, signature or proof.
///
/// commitment = SHA-256("trace.pii.v1" || 0x00 || salt (16 bytes) || UTF-8(NFC(value)))
public struct Commitment: Sendable, Equatable {
    public static let context: [UInt8] = Array("trace.pii.v1".utf8) + [0x00]

    public let digest: Digest
    public let salt: [UInt8]
    public let value: String

    /// Commits to `value` with a fresh random salt.
    public init(value: String) {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255, using: &generator) }
        self.init(value: value, salt: salt)
    }

    /// Commits with a given salt (to check a disclosed value).
    public init(value: String, salt: [UInt8]) {
        self.value = CanonicalJSON.nfc(value)
        self.salt = salt
        self.digest = SHA256.hash(Self.context + salt + Array(self.value.utf8))
    }

    /// True when `value` and `salt` open `digest`.
    public static func opens(_ digest: Digest, value: String, salt: [UInt8]) -> Bool {
        Commitment(value: value, salt: salt).digest == digest
    }
}
