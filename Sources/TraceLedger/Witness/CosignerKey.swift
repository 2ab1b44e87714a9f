import Foundation
public import TraceCrypto

/// A witness's public key as a C2SP vkey with signature type 0x04 (tlog-cosignature v1 over
/// Ed25519): `name+hash+base64(0x04 || key)`, the hash being SHA-256(name || "\n" || 0x04 || key)[:4].
public struct CosignerKey: Hashable, Sendable, CustomStringConvertible {
    /// The witness's name, as its cosignature lines carry it.
    public let name: String
    /// The Ed25519 key.
    public let publicKey: PublicKey
    /// The 4-byte key ID that prefixes each cosignature.
    public let keyHash: [UInt8]
    /// The vkey text.
    public let description: String

    /// The signature type byte for cosignature/v1 over Ed25519.
    public static let cosignatureAlgorithm: UInt8 = 0x04

    /// Names a witness key; throws if the name is not a valid signed-note key name.
    public init(name: String, publicKey: PublicKey) throws {
        try VerifierKey.checkName(name)
        self.name = name
        self.publicKey = publicKey
        keyHash = Self.keyHash(name: name, publicKey: publicKey)
        description =
            "\(name)+\(Hex.encode(keyHash))+\(Data([Self.cosignatureAlgorithm] + publicKey.bytes).base64EncodedString())"
    }

    /// Parses `name+hash+base64(0x04 || key)`; checks the type byte and that the hash matches.
    public init(_ text: String) throws {
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw CryptoError(.badVerifierKey, "witness key \"\(text.prefix(120))\" is not of the form name+hash+key")
        }
        let name = String(parts[0])
        try VerifierKey.checkName(name)
        guard parts[1].utf8.count == 8, let hash = Hex.decode(String(parts[1])), Hex.encode(hash) == parts[1] else {
            throw CryptoError(.badVerifierKey, "witness key \(name): the hash \"\(parts[1])\" is not 8 lower-case hex digits")
        }
        guard let data = Data(base64Encoded: String(parts[2])), data.count == 33, data.base64EncodedString() == parts[2] else {
            throw CryptoError(.badVerifierKey, "witness key \(name): the key is not base64 of 33 bytes")
        }
        guard data.first == Self.cosignatureAlgorithm else {
            throw CryptoError(
                .badVerifierKey,
                "witness key \(name): signature type \(data.first ?? 0) is not a cosignature/v1 Ed25519 key (4); "
                    + "make one with `trace keys new --witness`")
        }
        try self.init(name: name, publicKey: try PublicKey(bytes: Array(data.dropFirst())))
        guard keyHash == hash else {
            throw CryptoError(.badVerifierKey, "witness key \(name): the hash \(parts[1]) does not match the name and key")
        }
    }

    /// SHA-256(name || "\n" || 0x04 || key)[0..<4].
    public static func keyHash(name: String, publicKey: PublicKey) -> [UInt8] {
        Array(SHA256.hash(Array(name.utf8) + [0x0a, cosignatureAlgorithm] + publicKey.bytes).bytes.prefix(4))
    }
}
