import Foundation
public import TraceCrypto

/// A C2SP tlog-checkpoint: the log's origin, its size and its root hash, with optional
/// extension lines, to be signed by the operator as a signed note.
public struct Checkpoint: Sendable, Equatable {
    public let origin: String
    public let size: UInt64
    public let root: Digest
    public let extensions: [String]

    public init(origin: String, size: UInt64, root: Digest, extensions: [String] = []) {
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    /// `origin\nsize\nbase64(root)\n` followed by any extension lines.
    public var text: String {
        "\(origin)\n\(size)\n\(Data(root.bytes).base64EncodedString())\n" + extensions.map { $0 + "\n" }.joined()
    }

    /// Parses checkpoint text (the body of the note).
    public init(text: String) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard text.hasSuffix("\n"), lines.count >= 4 else {
            throw LedgerError(.badCheckpoint, "a checkpoint is origin, size and root hash, one a line")
        }
        let origin = String(lines[0])
        guard !origin.isEmpty else { throw LedgerError(.badCheckpoint, "the checkpoint's origin line is empty") }
        let sizeText = String(lines[1])
        guard let size = UInt64(sizeText), String(size) == sizeText else {
            throw LedgerError(
                .badCheckpoint, "checkpoint size \"\(sizeText.prefix(40))\" is not a decimal number without leading zeros")
        }
        // One spelling of the root: base64 leaves the last character's low bits free, and a
        // second text for one checkpoint is a second thing to sign (tools/fuzz found it).
        guard let rootBytes = Data(base64Encoded: String(lines[2])), rootBytes.count == 32,
            rootBytes.base64EncodedString() == lines[2]
        else {
            throw LedgerError(.badCheckpoint, "checkpoint root \"\(lines[2].prefix(60))\" is not canonical base64 of 32 bytes")
        }
        let extensions = lines[3..<(lines.count - 1)].map(String.init)
        guard !extensions.contains(where: \.isEmpty) else {
            throw LedgerError(.badCheckpoint, "a checkpoint has no blank lines")
        }
        self.init(origin: origin, size: size, root: try Digest(bytes: Array(rootBytes)), extensions: extensions)
    }

    /// Signs this checkpoint as a note.
    public func sign(with key: PrivateKey, as verifierKey: VerifierKey) throws -> SignedNote {
        try SignedNote.sign(text: text, key: key, as: verifierKey)
    }

    /// Verifies a signed checkpoint note against the operator's key and parses it.
    public static func open(_ note: String, operatorKey: VerifierKey) throws -> Checkpoint {
        let signed = try SignedNote(parsing: note)
        let checkpoint = try Checkpoint(text: try signed.open(with: operatorKey))
        return checkpoint
    }
}
