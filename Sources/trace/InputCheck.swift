import CanonicalJSON
import Foundation

/// Checks on values typed at the command line that the rules leave open but a clerk never means.
enum InputCheck {
    /// Refuses a control character (U+0000-001F, U+007F-009F) anywhere in the event's text: it
    /// hides in a terminal, breaks a CSV export and makes two names that look the same differ.
    static func noControlCharacters(_ value: JSONValue, field: String) throws {
        switch value {
        case .string(let text):
            if let bad = text.unicodeScalars.first(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
                throw CLIFailure.input(
                    "error: \(field): the text holds control character U+\(String(format: "%04X", bad.value)); "
                        + "type it again without it")
            }
        case .array(let items):
            for (i, item) in items.enumerated() { try noControlCharacters(item, field: "\(field)[\(i)]") }
        case .object(let members):
            for (key, member) in members { try noControlCharacters(member, field: "\(field).\(key)") }
        default: break
        }
    }

    /// A harvest date: a real YYYY-MM-DD day from the year 2000 to next year.
    static func harvestDate(_ text: String, field: String) throws {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let thisYear = Calendar(identifier: .gregorian).component(.year, from: Date())
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else {
            throw CLIFailure.input("error: \(field): \"\(text)\" is not a date YYYY-MM-DD, like 2026-07-01")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard (1...12).contains(month), let date = calendar.date(from: components),
            calendar.component(.day, from: date) == day
        else {
            throw CLIFailure.input("error: \(field): \"\(text)\" is not a day of the calendar")
        }
        guard (2000...(thisYear + 1)).contains(year) else {
            throw CLIFailure.input(
                "error: \(field): \"\(text)\" is not a plausible harvest date; give a year from 2000 to \(thisYear + 1)")
        }
    }
}
