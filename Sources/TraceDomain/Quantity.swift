public import Foundation

/// A unit of mass as cooperatives write it, with its size in kilograms.
public enum MassUnit: String, Sendable, CaseIterable {
    case g, kg
    case yen = "yến"
    case ta = "tạ"
    case t

    /// Kilograms in one unit.
    public var kilograms: Decimal {
        switch self {
        case .g: Decimal(string: "0.001")!
        case .kg: 1
        case .yen: 10
        case .ta: 100
        case .t: 1000
        }
    }

    /// Accepts the usual spellings: "kg", "t", "tonne", "tấn", "tạ", "yến", "g".
    public init(parsing text: String, field: String = "--unit") throws {
        // ASCII is NFC already: most units skip the normalization tables.
        let t = (text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCanonicalMapping).lowercased()
        switch t {
        case "g", "gram": self = .g
        case "kg", "kilogram": self = .kg
        case "yến", "yen": self = .yen
        case "tạ", "ta": self = .ta
        case "t", "tonne", "ton", "tấn", "tan": self = .t
        default:
            throw DomainError(.badInput, "\(field): unknown unit \"\(text)\"; use kg, t, tạ, yến or g")
        }
    }
}

/// An exact quantity of mass. Stored as decimal kilograms: never floating point, so
/// 0.1 + 0.2 is 0.3 and a mass balance never drifts.
public struct Mass: Comparable, Hashable, Sendable, CustomStringConvertible, Codable {
    public let kilograms: Decimal

    public init(kilograms: Decimal) { self.kilograms = kilograms }

    public static let zero = Mass(kilograms: 0)

    /// Stored as a decimal string of kilograms, so no JSON library rounds it.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw DomainError(.badInput, "index: bad stored quantity \(text)")
        }
        kilograms = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(NSDecimalNumber(decimal: kilograms).stringValue)
    }

    /// Parses a decimal string ("1200.5", no exponent, no grouping) in `unit`.
    public init(_ text: String, unit: MassUnit, field: String = "--quantity") throws {
        guard let value = Self.decimal(text) else {
            throw DomainError(
                .badInput, "\(field): \"\(text.prefix(40))\" is not a quantity; write digits with an optional '.', like 1200.5")
        }
        guard value > 0 else { throw DomainError(.badInput, "\(field): the quantity must be more than 0, got \(text)") }
        self.kilograms = value * unit.kilograms
    }

    /// A plain decimal: 1 to 30 ASCII digits with at most one '.', neither first nor last; no
    /// sign, exponent, grouping or spaces. Foundation's own parser would read "0.7x" as 0.7.
    public static func decimal(_ text: String) -> Decimal? {
        let bytes = Array(text.utf8)
        var dots = 0
        let ok =
            !bytes.isEmpty && bytes.count <= 30
            && bytes.allSatisfy { b in
                if b == UInt8(ascii: ".") {
                    dots += 1
                    return true
                }
                return b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
            } && dots <= 1 && bytes.first != UInt8(ascii: ".") && bytes.last != UInt8(ascii: ".")
        return ok ? Decimal(string: text, locale: posix) : nil
    }

    /// Made once, not for every quantity read: a `Locale` is costly to build.
    private static let posix = Locale(identifier: "en_US_POSIX")

    public static func + (a: Mass, b: Mass) -> Mass { Mass(kilograms: a.kilograms + b.kilograms) }
    public static func - (a: Mass, b: Mass) -> Mass { Mass(kilograms: a.kilograms - b.kilograms) }
    public static func < (a: Mass, b: Mass) -> Bool { a.kilograms < b.kilograms }

    /// Whether this is a whole number of milligrams (at most 6 decimal places of kilograms), the
    /// finest amount `decimalString` writes back unchanged.
    public var isWholeMilligrams: Bool {
        var scaled = kilograms * 1_000_000
        var whole = Decimal()
        NSDecimalRound(&whole, &scaled, 0, .plain)
        return whole == scaled
    }

    /// Every digit of `d`, unrounded, for messages about precision ("0.0000001").
    public static func exact(_ d: Decimal) -> String { NSDecimalNumber(decimal: d).stringValue }

    /// Kilograms as a plain decimal string, for events and JSON ("1200.5").
    public var decimalString: String { Self.plain(kilograms) }

    /// "1,200.5 kg", for messages.
    public var description: String { Self.grouped(kilograms) + " kg" }

    static func plain(_ d: Decimal) -> String {
        var value = d
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 6, .plain)
        return NSDecimalNumber(decimal: rounded).stringValue
    }

    static func grouped(_ d: Decimal) -> String {
        let text = plain(d)
        let parts = text.split(separator: ".", maxSplits: 1)
        let digits = Array(parts[0].drop { $0 == "-" })
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (text.hasPrefix("-") ? "-" : "") + out + (parts.count > 1 ? "." + parts[1] : "")
    }
}
