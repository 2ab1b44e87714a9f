public import CanonicalJSON
import Foundation
public import TraceCrypto

/// An event as its party signs and submits it: the event object, the signer's verifier key
/// and an Ed25519 signature over `SignedEvent.context` followed by the event's canonical bytes.
public struct SignedEvent: Sendable, Equatable {
    /// Domain separation: these bytes, then the canonical event. A signature made for another
    /// purpose with the same key can never pass as an event signature.
    public static let context: [UInt8] = Array("trace.event.v1".utf8) + [0x00]

    public let event: JSONValue
    public let key: VerifierKey
    public let signature: [UInt8]

    public init(event: JSONValue, key: VerifierKey, signature: [UInt8]) {
        self.event = event
        self.key = key
        self.signature = signature
    }

    /// Signs `event` with `privateKey`, published under `keyName`.
    public static func sign(_ event: JSONValue, with privateKey: PrivateKey, keyName: String) throws -> SignedEvent {
        let key = try VerifierKey(name: keyName, publicKey: privateKey.publicKey)
        try EventShape.check(event)
        let signature = try privateKey.sign(message(for: event))
        return SignedEvent(event: event, key: key, signature: signature)
    }

    /// The exact bytes that are signed: context || JCS(event).
    public static func message(for event: JSONValue) throws -> [UInt8] {
        context + (try CanonicalJSON.encode(event))
    }

    /// The event's id, which makes a resubmission idempotent.
    public var id: String { event["id"]?.stringValue ?? "" }

    /// True when the signature is valid for the event and key.
    public func hasValidSignature() -> Bool {
        guard let message = try? Self.message(for: event) else { return false }
        return key.publicKey.isValidSignature(signature, for: message)
    }

    /// The submission form: {"event": ..., "key": "name+hash+base64", "sig": base64}.
    public var json: JSONValue {
        ["event": event, "key": .string(key.description), "sig": .string(Data(signature).base64EncodedString())]
    }

    /// Reads the submission form, checking shapes (not the signature).
    public init(json: JSONValue) throws {
        guard let object = json.objectValue else {
            throw LedgerError(.badEvent, "a signed event must be a JSON object with \"event\", \"key\" and \"sig\"")
        }
        guard let event = object["event"] else { throw LedgerError(.badEvent, "the signed event has no \"event\"") }
        try EventShape.check(event)
        guard let keyText = object["key"]?.stringValue else {
            throw LedgerError(.badEvent, "event \(event["id"]?.stringValue ?? "?"): \"key\" must be a verifier key string")
        }
        let key: VerifierKey
        do { key = try VerifierKey.parsing(keyText) } catch let error as CryptoError {
            throw LedgerError(.badEvent, "event \(event["id"]?.stringValue ?? "?"): \"key\": \(error.message)")
        }
        guard let sigText = object["sig"]?.stringValue, let sig = Data(base64Encoded: sigText), sig.count == 64,
            sig.base64EncodedString() == sigText
        else {
            throw LedgerError(.badEvent, "event \(event["id"]?.stringValue ?? "?"): \"sig\" must be base64 of 64 bytes")
        }
        self.init(event: event, key: key, signature: Array(sig))
    }
}

/// What the ledger itself requires of every event; the domain layer checks the rest.
public enum EventShape {
    /// The longest event id accepted.
    public static let maxIDLength = 128

    /// Throws unless `event` is an object with a well-formed "id" and "type".
    public static func check(_ event: JSONValue) throws {
        guard let object = event.objectValue else {
            throw LedgerError(.badEvent, "an event must be a JSON object")
        }
        guard let id = object["id"]?.stringValue else {
            throw LedgerError(
                .badEvent, "the event has no \"id\" string; every event carries its own id so a retry is not recorded twice")
        }
        guard !id.isEmpty, id.utf8.count <= maxIDLength,
            id.utf8.allSatisfy({ isIDByte($0) })
        else {
            throw LedgerError(
                .badEvent, "event id \"\(id.prefix(140))\" must be 1 to \(maxIDLength) letters, digits, '.', '_', ':' or '-'")
        }
        guard let type = object["type"]?.stringValue, !type.isEmpty else {
            throw LedgerError(.badEvent, "event \(id) has no \"type\" string")
        }
        // The path of a bad number is spelled out only when there is one.
        if !allIntegers(event), let path = firstNonInteger(event, path: "") {
            throw LedgerError(
                .badEvent,
                "event \(id): \(path) is a fractional or huge number; write quantities as decimal strings such as \"1200.5\"")
        }
    }

    /// Numbers in events are integers of at most 2^53 in size, so any JSON library reproduces
    /// their canonical bytes; decimals travel as strings and are never rounded.
    private static func allIntegers(_ value: JSONValue) -> Bool {
        switch value {
        case .number(let d): d.rounded() == d && abs(d) <= 9_007_199_254_740_992
        case .array(let elements): elements.allSatisfy(allIntegers)
        case .object(let members): members.values.allSatisfy(allIntegers)
        default: true
        }
    }

    /// The path of the first number (in key order) that is not such an integer.
    private static func firstNonInteger(_ value: JSONValue, path: String) -> String? {
        switch value {
        case .number(let d):
            return d.rounded() == d && abs(d) <= 9_007_199_254_740_992 ? nil : (path.isEmpty ? "a value" : path)
        case .array(let elements):
            for (i, element) in elements.enumerated() {
                if let bad = firstNonInteger(element, path: "\(path)[\(i)]") { return bad }
            }
            return nil
        case .object(let members):
            for key in members.keys.sorted() {
                if let bad = firstNonInteger(members[key]!, path: path.isEmpty ? key : "\(path).\(key)") { return bad }
            }
            return nil
        default:
            return nil
        }
    }

    private static func isIDByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
