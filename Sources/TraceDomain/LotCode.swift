/// A lot code as people print and type it: letters, digits and "-", at most 20 characters, so it
/// fits GS1's batch/lot AI (10) and a URL without escaping. Lookups ignore case.
public struct LotCode: Hashable, Sendable, CustomStringConvertible, Codable {
    /// As first recorded.
    public let text: String
    /// The lookup key: upper case.
    public let key: String

    /// The longest code accepted.
    public static let maxLength = 20

    /// Validates a code, naming the field in the error.
    public init(_ text: String, field: String = "--lot") throws {
        guard !text.isEmpty, text.utf8.count <= Self.maxLength,
            text.utf8.allSatisfy({
                // ASCII letters, digits and '-' (spelled out: Unicode property look-ups cost more
                // than the rest of a replayed event's checks)
                switch $0 {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                    true
                default: false
                }
            })
        else {
            throw DomainError(
                .badInput,
                "\(field): lot code \"\(text.prefix(40))\" must be 1 to \(Self.maxLength) letters (A-Z), digits and '-'")
        }
        self.text = text
        self.key = text.uppercased()
    }

    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    public static func == (a: LotCode, b: LotCode) -> Bool { a.key == b.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }
}
