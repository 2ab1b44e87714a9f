public import Foundation
public import TraceDomain

/// Numbers, masses and dates as a person reads them: Vietnamese pages write 5.000 kg, 1.234,5 t
/// and 30/11/2026; English pages 5,000 kg, 1,234.5 t and 2026-11-30 (unambiguous everywhere).
public enum DisplayFormat {
    /// A decimal with grouped thousands, in the reader's convention.
    public static func number(_ plain: String, vietnamese: Bool) -> String {
        let negative = plain.hasPrefix("-")
        let parts = plain.drop { $0 == "-" }.split(separator: ".", maxSplits: 1)
        let digits = Array(parts.first ?? "0")
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(vietnamese ? "." : ",") }
            out.append(c)
        }
        if parts.count > 1 { out += (vietnamese ? "," : ".") + parts[1] }
        return (negative ? "-" : "") + out
    }

    /// A decimal number with grouped thousands.
    public static func number(_ value: Decimal, vietnamese: Bool) -> String {
        number(NSDecimalNumber(decimal: value).stringValue, vietnamese: vietnamese)
    }

    /// A mass in kilograms, or in tonnes from 10 t up (exact: a tonne is 1,000 kg).
    public static func mass(_ mass: Mass, vietnamese: Bool) -> String {
        if mass.kilograms >= 10_000 {
            return number(Mass(kilograms: mass.kilograms / 1000).decimalString, vietnamese: vietnamese) + " t"
        }
        return number(mass.decimalString, vietnamese: vietnamese) + " kg"
    }

    /// The day of an RFC 3339 time or a `YYYY-MM-DD` date: dd/mm/yyyy in Vietnamese.
    public static func date(_ text: String, vietnamese: Bool) -> String {
        let day = String(text.prefix(10))
        let parts = day.split(separator: "-")
        guard vietnamese, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2 else { return day }
        return "\(parts[2])/\(parts[1])/\(parts[0])"
    }
}
