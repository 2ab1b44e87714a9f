import CanonicalJSON
import Foundation
import TraceCrypto

/// Reads an event's members for the payload parsers, with the refusal messages the rules have
/// always given: each names the event, the member and the value.
struct EventFields {
    let event: JSONValue
    let id: String

    subscript(_ key: String) -> JSONValue? { event[key] }

    /// A required non-blank string member, NFC-normalised.
    func string(_ key: String, _ what: String) throws -> String {
        guard let value = event[key]?.stringValue, !value.isBlank else {
            throw DomainError(.badInput, "event \(id): \"\(key)\" (\(what)) is missing")
        }
        return CanonicalJSON.nfc(value)
    }

    /// A required lot code member.
    func lot(_ key: String, _ what: String) throws -> LotCode {
        try LotCode(try string(key, what), field: key)
    }

    /// A required positive decimal member written as a quantity is ("9000", "0.7").
    func decimal(_ key: String, _ what: String) throws -> Decimal {
        guard let text = event[key]?.stringValue, let value = Mass.decimal(text), value > 0 else {
            throw DomainError(
                .badInput,
                "event \(id): \"\(key)\" (\(what)) \(event[key].map { "\($0)" } ?? "(missing)") must be a decimal string more than 0, like \"9000\" or \"0.7\""
            )
        }
        return value
    }

    /// A required JSON integer member within `range`.
    func integer(_ key: String, _ what: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let value = event[key]?.intValue, range.contains(value) else {
            throw DomainError(
                .badInput,
                "event \(id): \"\(key)\" (\(what)) \(event[key].map { "\($0)" } ?? "(missing)") must be a whole number from \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return value
    }

    /// Lines of {"lot", "quantity", "unit"}: the inputs or outputs of a transform or split.
    func lines(_ key: String) throws -> [TraceEvent.Line] {
        guard let items = event[key]?.arrayValue, !items.isEmpty else {
            throw DomainError(.badInput, "event \(id): \"\(key)\" needs at least one lot")
        }
        return try items.enumerated().map { i, item in
            let field = "\(key)[\(i)]"
            let code = try LotCode(item["lot"]?.stringValue ?? "", field: "\(field).lot")
            let unit = try MassUnit(parsing: item["unit"]?.stringValue ?? "kg", field: "\(field).unit")
            let mass = try Mass(item["quantity"]?.stringValue ?? "", unit: unit, field: "\(field).quantity")
            return TraceEvent.Line(lot: code, mass: mass, product: item["product"]?.stringValue.map(CanonicalJSON.nfc))
        }
    }

    /// An optional official code (growing area, packhouse): 1 to 40 ASCII letters, digits, `-`, `.`, `/` or `_`.
    func officialCode(_ value: JSONValue?, field: String) throws -> String? {
        guard let value else { return nil }
        guard let text = value.stringValue, (1...40).contains(text.utf8.count),
            text.utf8.allSatisfy({
                ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || [45, 46, 47, 95].contains($0)
            })
        else {
            throw DomainError(
                .badInput,
                "event \(id): \(field) \(value) must be 1 to 40 letters, digits, '-', '.', '/' or '_', like VN-TGOR-0107")
        }
        return text
    }

    /// A verifier key that the Ed25519 rule accepts, in its canonical text.
    func verifierKey(_ text: String?, field: String) throws -> String {
        guard let text else { throw DomainError(.badInput, "event \(id): \(field) (a verifier key) is missing") }
        do {
            let key = try VerifierKey(text)
            // The Ed25519 rule (FORMAT.md section 3): a key no accepted signature could match is refused here.
            try key.publicKey.checkAcceptable()
            return key.description
        } catch let error as CryptoError {
            throw DomainError(.badInput, "event \(id): \(field): \(error.message)")
        }
    }

    /// Committed personal fields: each a SHA-256 commitment in hex.
    func commitments(_ value: JSONValue?) throws -> [String: String] {
        var personal: [String: String] = [:]
        for (field, value) in (value?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let hex = value.stringValue, (try? Digest(hex: hex)) != nil else {
                throw DomainError(.badInput, "event \(id): personal.\(field) must be a SHA-256 commitment (64 hex digits)")
            }
            personal[field] = hex
        }
        return personal
    }
}

extension String {
    /// Empty or white space only (as `trimmingWhitespace.isEmpty`), without building the trimmed
    /// string; ASCII skips the Unicode property tables.
    fileprivate var isBlank: Bool {
        !unicodeScalars.contains { scalar in
            scalar.isASCII ? !(scalar == " " || (0x09...0x0D).contains(scalar.value)) : !scalar.properties.isWhitespace
        }
    }
}
