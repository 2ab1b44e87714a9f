public import CanonicalJSON
public import Foundation

/// A spreadsheet's CSV as a clerk saves it, read into events for `trace submit --csv`: UTF-8 with
/// or without a byte order mark, comma or semicolon separated, Vietnamese or English headers,
/// quantities with a decimal comma ("1.200,5" or "1200,5") or point ("1200.5"), dates as
/// YYYY-MM-DD or DD/MM/YYYY. Harvests, shipments and receipts; each row is read in full, and
/// every cell that cannot be read is named by its row and column. In TraceDomain, not the CLI,
/// so that tools/fuzz reaches it.
public struct SpreadsheetCSV: Sendable {
    /// One row: its spreadsheet row number (the header is row 1) and its event, or its problems.
    public struct Row: Sendable {
        public let number: Int
        public let type: String
        public let fields: [String: JSONValue]
        public let problems: [String]
    }

    /// A file that cannot be read at all; the message names the file, row and column, and ends
    /// with its code (`[csv.bad_file]`, `[csv.bad_header]`).
    public struct Refusal: Error, Sendable {
        public let message: String
    }

    public let rows: [Row]

    /// The columns we read, by every header a clerk may have written (compared after NFC,
    /// lower-casing and trimming; unaccented spellings too).
    static let headers: [String: [String]] = [
        "type": ["type", "event", "loại", "loai", "sự kiện", "su kien", "loại sự kiện"],
        "lot": ["lot", "lot code", "mã lô", "ma lo", "lô", "lo"],
        "product": ["product", "sản phẩm", "san pham"],
        "quantity": ["quantity", "khối lượng", "khoi luong", "số lượng", "so luong"],
        "unit": ["unit", "đơn vị", "don vi", "đvt"],
        "plot": ["plot", "thửa", "thua", "thửa đất", "thua dat", "mã thửa", "ma thua"],
        "harvested": ["harvested", "harvest date", "date", "ngày thu hoạch", "ngay thu hoach", "ngày"],
        "to": ["to", "ship to", "gửi cho", "gui cho", "bên nhận", "ben nhan", "nơi nhận"],
        "id": ["id", "event id", "mã sự kiện", "ma su kien"],
    ]
    /// Columns a spreadsheet may carry for people, which are not part of any event.
    static let ignored: Set<String> = ["note", "notes", "ghi chú", "ghi chu", "stt", "no.", "#"]

    static let types: [String: String] = [
        "harvest": "harvest", "thu hoạch": "harvest", "thu hoach": "harvest", "ship": "ship", "gửi": "ship", "gửi hàng": "ship",
        "gui hang": "ship", "receive": "receive", "nhận": "receive", "nhận hàng": "receive", "nhan hang": "receive",
    ]
    static let required: [String: [String]] = [
        "harvest": ["lot", "product", "quantity", "plot", "harvested"], "ship": ["lot", "to"], "receive": ["lot"],
    ]

    /// Reads `data`; a file that cannot be read at all (not UTF-8, no header, an unknown column)
    /// is refused whole with a Refusal that names the file, row and column.
    public init(data: Data, file: String) throws {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Refusal(
                message:
                    "error: --csv: \(file) is not UTF-8 text; in the spreadsheet choose \"CSV UTF-8\" when saving [csv.bad_file]")
        }
        let table = Self.cells(text)
        guard let header = table.first else { throw Refusal(message: "error: --csv: \(file) is empty [csv.bad_file]") }
        var columns: [String: Int] = [:]
        for (index, name) in header.enumerated() {
            let key = Self.fold(name)
            if key.isEmpty || Self.ignored.contains(key) { continue }
            guard let field = Self.headers.first(where: { $0.value.contains(key) })?.key else {
                throw Refusal(
                    message:
                        "error: row 1, column \(index + 1): header \"\(name)\" is not one we read; use \(Self.headers.keys.sorted().joined(separator: ", ")) or their Vietnamese names (see tools/sample-data/) [csv.bad_header]"
                )
            }
            guard columns[field] == nil else {
                throw Refusal(
                    message:
                        "error: row 1, column \(index + 1): header \"\(name)\" repeats the column of \"\(header[columns[field]!])\" [csv.bad_header]"
                )
            }
            columns[field] = index
        }
        guard columns["lot"] != nil else {
            throw Refusal(message: "error: row 1: no lot column (\"mã lô\" or \"lot\") [csv.bad_header]")
        }
        rows = table.enumerated().dropFirst().compactMap { index, cells in
            guard cells.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else { return nil }
            return Self.row(cells, number: index + 1, columns: columns, header: header)
        }
    }

    private static func row(_ cells: [String], number: Int, columns: [String: Int], header: [String]) -> Row {
        func cell(_ field: String) -> String? {
            guard let i = columns[field], i < cells.count else { return nil }
            let value = cells[i].trimmingCharacters(in: .whitespaces)
            return value.isEmpty ? nil : value
        }
        func place(_ field: String) -> String { "row \(number), column \(columns[field].map { header[$0] } ?? field)" }
        var problems: [String] = []
        // Without a type column, the columns say which event a row is.
        let typeText = cell("type")
        let type: String
        if let typeText {
            guard let known = types[fold(typeText)] else {
                return Row(
                    number: number, type: "", fields: [:],
                    problems: [
                        "\(place("type")): \"\(typeText)\" is not harvest, ship or receive (thu hoạch, gửi hàng, nhận hàng) [csv.bad_value]"
                    ])
            }
            type = known
        } else {
            type = columns["plot"] != nil ? "harvest" : columns["to"] != nil ? "ship" : "receive"
        }
        var fields: [String: JSONValue] = [:]
        for field in required[type] ?? [] where cell(field) == nil {
            problems.append("\(place(field)): \(field) is required for a \(type) [csv.missing_value]")
        }
        if let lot = cell("lot") {
            do { fields["lot"] = .string(try LotCode(lot, field: "lot").text) } catch let error as DomainError {
                problems.append("\(place("lot")): \(error.message) [csv.bad_value]")
            } catch {}
        }
        if type == "harvest" {
            if let product = cell("product") { fields["product"] = .string(product) }
            if let plot = cell("plot") { fields["plot"] = .string(plot) }
            if let text = cell("quantity") {
                if let quantity = decimal(text) {
                    fields["quantity"] = .string(quantity)
                } else {
                    problems.append(
                        "\(place("quantity")): \"\(text)\" is not a positive quantity, like 1200,5 or 1200.5 [csv.bad_value]")
                }
            }
            let unit = cell("unit") ?? "kg"
            do { fields["unit"] = .string(try MassUnit(parsing: unit, field: "unit").rawValue) } catch {
                problems.append("\(place("unit")): \"\(unit)\" is not kg, t, tạ, yến or g [csv.bad_value]")
            }
            if let text = cell("harvested") {
                if let day = date(text) {
                    fields["harvested"] = .string(day)
                } else {
                    problems.append(
                        "\(place("harvested")): \"\(text)\" is not a date like 2026-07-01 or 01/07/2026 [csv.bad_value]")
                }
            }
        }
        if type == "ship", let to = cell("to") { fields["to"] = .string(to) }
        if let id = cell("id") { fields["id"] = .string(id) }
        return Row(number: number, type: type, fields: fields, problems: problems)
    }

    /// A cell's quantity as the ledger's decimal string: with both marks the last one is the
    /// decimal mark ("1.200,5", "1,200.5"); a lone comma is a Vietnamese decimal comma.
    static func decimal(_ text: String) -> String? {
        var s = text.filter { !$0.isWhitespace && $0 != "\u{00A0}" }
        if let comma = s.lastIndex(of: ","), let dot = s.lastIndex(of: ".") {
            s =
                comma > dot
                ? s.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
                : s.replacingOccurrences(of: ",", with: "")
        } else if s.filter({ $0 == "," }).count == 1 {
            s = s.replacingOccurrences(of: ",", with: ".")
        }
        guard let value = Mass.decimal(s), value > 0 else { return nil }
        return s
    }

    /// "2026-07-01", or "1/7/2026" as Vietnamese spreadsheets write day/month/year.
    static func date(_ text: String) -> String? {
        if text.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil { return text }
        guard let m = text.wholeMatch(of: /(\d{1,2})[\/.](\d{1,2})[\/.](\d{4})/), let d = Int(m.output.1),
            let mo = Int(m.output.2),
            (1...31).contains(d), (1...12).contains(mo)
        else { return nil }
        return "\(m.output.3)-\(mo < 10 ? "0" : "")\(mo)-\(d < 10 ? "0" : "")\(d)"
    }

    static func fold(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping.lowercased().trimmingCharacters(in: .whitespaces)
    }

    /// RFC 4180 cells, with the separator the header line uses most (';' or ',').
    static func cells(_ text: String) -> [[String]] {
        let firstLine = text.prefix { !$0.isNewline }
        let separator: Character = firstLine.filter { $0 == ";" }.count > firstLine.filter { $0 == "," }.count ? ";" : ","
        var table: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var chars = Array(text)
        chars.append("\n")
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count, chars[i + 1] == "\"" {
                        cell.append("\"")
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    cell.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == separator {
                row.append(cell)
                cell = ""
            } else if c.isNewline {
                row.append(cell)
                table.append(row)
                row = []
                cell = ""
            } else {
                cell.append(c)
            }
            i += 1
        }
        // The appended newline closes the last row; a file ending in a newline adds one empty row.
        return table.filter { !($0.count == 1 && $0[0].isEmpty) }
    }
}
