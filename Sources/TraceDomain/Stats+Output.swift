public import CanonicalJSON
public import Foundation

extension Stats {
    /// A decimal as published: plain digits, never floating point.
    static func decimal(_ value: Decimal) -> String { NSDecimalNumber(decimal: value).stringValue }

    /// The figures as JSON: the checkpoint they were computed at, the filter, and one object per
    /// figure; a suppressed figure has `"suppressed": true` and null numbers.
    public var json: JSONValue {
        let rowValues: [JSONValue] = rows.map { row in
            func n(_ value: Int) -> JSONValue { row.suppressed ? .null : .int(value) }
            func d(_ value: Decimal) -> JSONValue { row.suppressed ? .null : .string(Self.decimal(value)) }
            return .object([
                "dimension": .string(row.dimension), "key": .string(row.key), "label": .string(row.label), "farms": n(row.farms),
                "plots": n(row.plots), "hectares": d(row.hectares), "count": n(row.count), "kilograms": d(row.kilograms),
                "suppressed": .bool(row.suppressed),
            ])
        }
        return .object([
            "checkpoint": .object(["size": .int(Int(size)), "root": .string(root)]),
            "threshold": .int(Self.threshold),
            "filter": filter.json,
            "period": .object([
                "first": firstMonth.map(JSONValue.string) ?? .null, "last": lastMonth.map(JSONValue.string) ?? .null,
            ]),
            "certifiedShare": certifiedShare.map { .string(Self.decimal(Self.rounded($0, places: 4))) } ?? .null,
            "rows": .array(rowValues),
        ])
    }

    /// `value` rounded half up to `places` decimals.
    public static func rounded(_ value: Decimal, places: Int) -> Decimal {
        var input = value
        var output = Decimal()
        NSDecimalRound(&output, &input, places, .plain)
        return output
    }

    /// A share as a percentage with one decimal, like "62.5%".
    public static func percent(_ share: Decimal) -> String {
        let tenths = NSDecimalNumber(decimal: share * 1000).doubleValue.rounded() / 10
        return String(format: "%.1f%%", tenths)
    }

    /// The CSV header: every row names the checkpoint its figure was computed at.
    public static let csvHeader = [
        "dimension", "key", "label", "farms", "plots", "hectares", "count", "kilograms", "suppressed", "checkpoint_size",
        "checkpoint_root",
    ]

    /// The figures as RFC 4180 CSV (CRLF line ends, no byte-order mark); suppressed numbers are empty.
    public var csv: String {
        var lines = [Self.csvHeader.joined(separator: ",")]
        for row in rows {
            let numbers =
                row.suppressed
                ? ["", "", "", "", ""]
                : [
                    String(row.farms), String(row.plots), Self.decimal(row.hectares), String(row.count),
                    Self.decimal(row.kilograms),
                ]
            let fields = [row.dimension, row.key, row.label] + numbers + [row.suppressed ? "true" : "false", String(size), root]
            lines.append(fields.map(Self.csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One CSV field, quoted when it holds a comma, quote or line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
