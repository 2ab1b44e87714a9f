import CanonicalJSON
import Foundation
public import TraceCrypto

/// The operator's keys from genesis on. An `operator.rotate` entry, signed by the key then in
/// force, names the next key (same name: the log's origin); checkpoints whose tree includes that
/// entry are signed by the new key. A verifier that trusts only the genesis key follows the chain.
public struct OperatorKeys: Sendable, Equatable {
    /// The event type of a rotation.
    public static let rotationType = "operator.rotate"

    /// The event id the `n`th rotation must have (1, 2, ...): the chain is then found through the
    /// store's event-id index, without reading the ledger.
    public static func eventID(_ n: Int) -> String { "operator-rotate-\(n)" }

    /// One key and the smallest checkpoint size it signs.
    public struct Link: Sendable, Equatable {
        public let fromSize: UInt64
        public let key: VerifierKey
        /// The entry that named it (nil for the genesis key).
        public let entry: UInt64?
    }

    /// Every key in order; the first is the genesis key.
    public private(set) var links: [Link]

    /// The chain that starts with the genesis key.
    public init(genesis: VerifierKey) { links = [Link(fromSize: 0, key: genesis, entry: nil)] }

    /// The key in force now: the one the next checkpoint is signed with.
    public var current: VerifierKey { links[links.count - 1].key }

    /// The key that signs a checkpoint of `size`.
    public func key(forSize size: UInt64) -> VerifierKey {
        links.last { $0.fromSize <= size }?.key ?? links[0].key
    }

    /// True when the raw entry bytes might hold a rotation (a cheap test before parsing).
    static func mayRotate(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            Data(raw).range(of: Data("\"\(rotationType)\"".utf8)) != nil
        }
    }

    /// The new key a rotation event names, checked: a valid verifier key named as the log's
    /// origin, signed by the key in force. Throws naming what is wrong.
    public func rotation(_ event: SignedEvent, origin: String, seq: UInt64) throws -> VerifierKey {
        guard event.id == Self.eventID(links.count) else {
            throw LedgerError(
                .badEntry,
                "entry \(seq) rotates the operator key with event id \(event.id); rotation \(links.count) must have id \(Self.eventID(links.count))",
                entry: seq)
        }
        guard event.key == current else {
            throw LedgerError(
                .badEntry,
                "entry \(seq) rotates the operator key but is signed by \(event.key.name) (\(Hex.encode(event.key.keyHash))), "
                    + "not by the operator key then in force (\(current))",
                entry: seq)
        }
        let new: VerifierKey
        do { new = try VerifierKey(event.event["key"]?.stringValue ?? "") } catch let error as CryptoError {
            throw LedgerError(.badEntry, "entry \(seq): \"key\" of the operator key rotation: \(error.message)", entry: seq)
        }
        guard new.name == origin else {
            throw LedgerError(
                .badEntry, "entry \(seq): the new operator key is named \(new.name); it must be named as the log (\(origin))",
                entry: seq)
        }
        guard !links.contains(where: { $0.key.publicKey == new.publicKey }) else {
            throw LedgerError(.badEntry, "entry \(seq): the new operator key was already used; rotate to a new key", entry: seq)
        }
        return new
    }

    /// The chain as it was after the first `size` entries.
    public func prefix(size: UInt64) -> OperatorKeys {
        var copy = self
        copy.links.removeAll { $0.entry.map { $0 >= size } ?? false }
        return copy
    }

    /// Applies entry `seq` (its raw bytes); a rotation moves the chain on.
    public mutating func apply(seq: UInt64, bytes: [UInt8], origin: String) throws {
        guard Self.mayRotate(bytes) else { return }
        let entry = try Entry(bytes: bytes, expectedSeq: seq, canonical: false)
        guard entry.signed.event["type"]?.stringValue == Self.rotationType else { return }
        let new = try rotation(entry.signed, origin: origin, seq: seq)
        links.append(Link(fromSize: seq + 1, key: new, entry: seq))
    }

    /// Applies entry `seq` as `apply` does, and also checks a rotation's own signature: for a
    /// verifier that has not checked the entry's signature elsewhere before trusting the key it
    /// names (a certificate's checkpoint, a saved checkpoint for `verify --since`).
    public mutating func applyChecked(seq: UInt64, bytes: [UInt8], origin: String) throws {
        // An entry that does not parse names no key; the checks of entries refuse it.
        guard Self.mayRotate(bytes), let entry = try? Entry(bytes: bytes, expectedSeq: seq, canonical: false),
            entry.signed.event["type"]?.stringValue == Self.rotationType
        else { return }
        let new = try rotation(entry.signed, origin: origin, seq: seq)
        guard entry.signed.key.publicKey.isValidSignature(entry.signed.signature, for: entry.signedMessage) else {
            throw LedgerError(
                .badSignature,
                "entry \(seq) rotates the operator key, but its signature does not verify with the operator key then in force (\(current)): a forged rotation",
                entry: seq)
        }
        links.append(Link(fromSize: seq + 1, key: new, entry: seq))
    }

    /// The entry of the rotation that brought in the key signing a checkpoint of `size` (nil: the genesis key).
    public func rotation(forSize size: UInt64) -> UInt64? {
        links.last { $0.fromSize <= size }?.entry
    }

    /// Opens a checkpoint note with the key that signs its size.
    public func open(_ note: String) throws -> Checkpoint {
        let size = try Checkpoint(text: SignedNote(parsing: note).text).size
        return try Checkpoint.open(note, operatorKey: key(forSize: size))
    }
}
