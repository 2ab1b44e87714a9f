import Foundation
public import TraceCrypto

/// A C2SP tlog-cosignature v1: a witness's timestamped Ed25519 signature over
/// `cosignature/v1\ntime T\n` followed by the whole checkpoint note body. As a note signature
/// line: `— name base64(key ID || u64 big-endian T || signature)`.
public struct Cosignature: Sendable, Equatable {
    /// Seconds since the epoch when the witness signed.
    public let timestamp: UInt64
    /// The 64-byte Ed25519 signature.
    public let signature: [UInt8]

    /// The message a witness signs for `checkpointText` at `timestamp`.
    public static func message(checkpointText: String, timestamp: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(timestamp)\n\(checkpointText)".utf8)
    }

    /// Cosigns `checkpointText` (the note body, ending in a newline) at `timestamp`.
    public static func sign(checkpointText: String, timestamp: UInt64, key: PrivateKey) throws -> Cosignature {
        guard timestamp <= UInt64(Int64.max) else {
            throw LedgerError(.badNote, "a cosignature timestamp may not exceed 2^63 - 1")
        }
        return Cosignature(
            timestamp: timestamp, signature: try key.sign(message(checkpointText: checkpointText, timestamp: timestamp)))
    }

    /// The signature line for this cosignature by `key`.
    public func line(by key: CosignerKey) -> String {
        var blob = key.keyHash
        for shift in stride(from: 56, through: 0, by: -8) { blob.append(UInt8(truncatingIfNeeded: timestamp >> UInt64(shift))) }
        blob += signature
        return "\u{2014} \(key.name) \(Data(blob).base64EncodedString())\n"
    }

    /// Reads the cosignature in a note signature whose name and key ID are `key`'s, or nil when
    /// the signature is not 8 + 64 bytes.
    public init?(_ line: SignedNote.Signature, key: CosignerKey) {
        guard line.name == key.name, line.keyHash == key.keyHash, line.signature.count == 72 else { return nil }
        timestamp = line.signature.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
        signature = Array(line.signature.dropFirst(8))
    }

    private init(timestamp: UInt64, signature: [UInt8]) {
        self.timestamp = timestamp
        self.signature = signature
    }

    /// True when this is `key`'s valid cosignature of `checkpointText`.
    public func verifies(checkpointText: String, key: CosignerKey) -> Bool {
        timestamp <= UInt64(Int64.max)
            && key.publicKey.isValidSignature(signature, for: Self.message(checkpointText: checkpointText, timestamp: timestamp))
    }
}
