public import CanonicalJSON
import Foundation

/// Which harvests the statistics cover: one crop, and a period of harvest months (inclusive).
/// Plots are filtered by crop only; lots made from harvests count when one of their harvests does.
public struct StatsFilter: Sendable, Equatable {
    public let crop: String?
    /// First and last harvest month, "YYYY-MM".
    public let from: String?
    public let to: String?

    public static let none = StatsFilter(checked: nil, nil, nil)

    public var isEmpty: Bool { crop == nil && from == nil && to == nil }

    private init(checked crop: String?, _ from: String?, _ to: String?) {
        self.crop = crop
        self.from = from
        self.to = to
    }

    /// Parses the filter as a clerk or a URL writes it; empty values mean no filter.
    public init(crop: String?, from: String?, to: String?) throws {
        let crop = crop.map { CanonicalJSON.nfc($0).trimmingWhitespace }.flatMap { $0.isEmpty ? nil : $0 }
        if let crop, crop.count > 64 { throw DomainError(.badInput, "crop: \"\(crop.prefix(40))...\" is too long") }
        func month(_ text: String?, _ field: String) throws -> String? {
            guard let text = text?.trimmingWhitespace, !text.isEmpty else { return nil }
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]),
                y >= 1900, (1...12).contains(m), text.utf8.allSatisfy({ $0 == 45 || (48...57).contains($0) })
            else {
                throw DomainError(.badInput, "\(field): \"\(text.prefix(20))\" is not a month; write YYYY-MM, like 2026-07")
            }
            return text
        }
        let from = try month(from, "from")
        let to = try month(to, "to")
        if let from, let to, from > to {
            throw DomainError(.badInput, "from: the period starts (\(from)) after it ends (\(to))")
        }
        self.init(checked: crop, from, to)
    }

    /// Whether a plot of `crop` harvested in `month` ("YYYY-MM", nil for a plot) is covered.
    func covers(crop plotCrop: String, month: String?) -> Bool {
        if let crop, plotCrop.lowercased() != crop.lowercased() { return false }
        guard let month else { return true }
        if let from, month < from { return false }
        if let to, month > to { return false }
        return true
    }

    /// The filter as query parameters, for links and the JSON answer.
    public var json: JSONValue {
        .object([
            "crop": crop.map(JSONValue.string) ?? .null, "from": from.map(JSONValue.string) ?? .null,
            "to": to.map(JSONValue.string) ?? .null,
        ])
    }
}
