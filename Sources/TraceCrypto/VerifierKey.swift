import Foundation

/// A public key in C2SP signed-note form: `name+hash+base64(0x01 || key)`.
///
/// The hash is the first four bytes of SHA-256(name || "\n" || 0x01 || key), written as eight
/// lower-case hex digits; 0x01 is the signed-note algorithm byte for Ed25519.
public struct VerifierKey: Hashable, Sendable, CustomStringConvertible {
    /// The key's name: what signature lines carry and what a checkpoint's signer is called.
    public let name: String
    /// The Ed25519 key.
    public let publicKey: PublicKey
    /// The 4-byte key hash that prefixes each signature made with this key.
    public let keyHash: [UInt8]

    /// The signed-note algorithm byte for Ed25519.
    public static let ed25519Algorithm: UInt8 = 0x01

    /// Names a key; throws if the name is not a valid signed-note key name.
    public init(name: String, publicKey: PublicKey) throws {
        try Self.checkName(name)
        self.name = name
        self.publicKey = publicKey
        self.keyHash = Self.keyHash(name: name, publicKey: publicKey)
        self.description = Self.text(name: name, keyHash: keyHash, publicKey: publicKey)
    }

    /// Parses `name+hash+base64`; checks that the hash matches the name and key.
    public init(_ text: String) throws {
        // The base64 key may itself contain "+", so only the first two separate fields.
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw CryptoError(.badVerifierKey, "verifier key \"\(text.prefix(120))\" is not of the form name+hash+key")
        }
        let name = String(parts[0])
        try Self.checkName(name)
        guard parts[1].utf8.count == 8, let hash = Hex.decode(String(parts[1])), Hex.encode(hash) == parts[1] else {
            throw CryptoError(.badVerifierKey, "verifier key \(name): the hash \"\(parts[1])\" is not 8 lower-case hex digits")
        }
        // Only the canonical base64 spelling: one key, one string.
        guard let data = Data(base64Encoded: String(parts[2])), data.count == 33, data.base64EncodedString() == parts[2] else {
            throw CryptoError(.badVerifierKey, "verifier key \(name): the key is not base64 of 33 bytes")
        }
        guard data.first == Self.ed25519Algorithm else {
            throw CryptoError(.badVerifierKey, "verifier key \(name): algorithm \(data.first ?? 0) is not Ed25519 (1)")
        }
        let key = try PublicKey(bytes: Array(data.dropFirst()))
        guard Self.keyHash(name: name, publicKey: key) == hash else {
            throw CryptoError(.badVerifierKey, "verifier key \(name): the hash \(parts[1]) does not match the name and key")
        }
        self.name = name
        self.publicKey = key
        self.keyHash = hash
        self.description = text
    }

    /// `name+hash+base64(0x01 || key)`, made once: rules compare keys by this text per entry.
    public let description: String

    static func text(name: String, keyHash: [UInt8], publicKey: PublicKey) -> String {
        "\(name)+\(Hex.encode(keyHash))+\(Data([Self.ed25519Algorithm] + publicKey.bytes).base64EncodedString())"
    }

    /// SHA-256(name || "\n" || 0x01 || key)[0..<4].
    public static func keyHash(name: String, publicKey: PublicKey) -> [UInt8] {
        let digest = SHA256.hash(Array(name.utf8) + [0x0a, ed25519Algorithm] + publicKey.bytes)
        return Array(digest.bytes.prefix(4))
    }

    /// A signed-note key name is non-empty UTF-8 with no "+" and no white space or control characters.
    public static func checkName(_ name: String) throws {
        guard !name.isEmpty else { throw CryptoError(.badVerifierKey, "a key name cannot be empty") }
        for scalar in name.unicodeScalars {
            // ASCII is settled without a Unicode property look-up (its whitespace is 0x09-0x0D and 0x20).
            let bad =
                scalar.isASCII
                ? scalar == "+" || scalar.value <= 0x20 || scalar.value == 0x7f : scalar.properties.isWhitespace
            if bad {
                throw CryptoError(
                    .badVerifierKey,
                    "key name \"\(name)\" contains \"\(scalar.escaped(asASCII: true))\"; use letters, digits, '.', '-', '/' or '_'"
                )
            }
        }
    }
}
