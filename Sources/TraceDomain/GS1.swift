/// GS1 identifiers: check digits (GS1 General Specifications 7.9.1), GLN and GTIN.
public enum GS1 {
    /// True when the last digit is the GS1 mod-10 check digit of the others: weights 3, 1, 3, ...
    /// from the rightmost data digit.
    public static func hasValidCheckDigit(_ digits: String) -> Bool {
        let values = digits.utf8.map { Int($0) - 48 }
        guard values.count >= 2, values.allSatisfy({ (0...9).contains($0) }) else { return false }
        var sum = 0
        for (i, v) in values.dropLast().reversed().enumerated() { sum += v * (i % 2 == 0 ? 3 : 1) }
        return (10 - sum % 10) % 10 == values.last!
    }

    /// Validates a 13-digit Global Location Number.
    public static func gln(_ text: String, field: String = "--gln") throws -> String {
        guard text.utf8.count == 13, hasValidCheckDigit(text) else {
            throw DomainError(.badInput, "\(field): \"\(text.prefix(20))\" is not a GLN (13 digits with a valid GS1 check digit)")
        }
        return text
    }

    /// Validates a GTIN-8, -12, -13 or -14 and returns it as GTIN-14 (left-padded with zeros).
    public static func gtin14(_ text: String, field: String = "--gtin") throws -> String {
        guard [8, 12, 13, 14].contains(text.utf8.count), hasValidCheckDigit(text) else {
            throw DomainError(
                .badInput, "\(field): \"\(text.prefix(20))\" is not a GTIN (8, 12, 13 or 14 digits with a valid GS1 check digit)")
        }
        return String(repeating: "0", count: 14 - text.utf8.count) + text
    }

    /// The GS1 Digital Link URI of a batch: `BASE/01/GTIN/10/LOT` (the lot code needs no escaping:
    /// letters, digits and '-').
    public static func digitalLink(base: String, gtin: String, lot: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/01/\(gtin)/10/\(lot)"
    }
}
