import ArgumentParser
import Foundation
import TraceDomain

/// The CLI's language: Vietnamese when the locale the user set for messages starts with `vi`
/// (`LC_ALL`, else `LC_MESSAGES`, else `LANG`, as POSIX orders them), English otherwise.
enum L10n {
    static let vietnamese: Bool = {
        let env = ProcessInfo.processInfo.environment
        let locale = [env["LC_ALL"], env["LC_MESSAGES"], env["LANG"]].compactMap { $0 }.first { !$0.isEmpty } ?? ""
        return locale.lowercased().hasPrefix("vi")
    }()

    /// `en` or `vi`, by the user's language.
    static func text(_ en: String, _ vi: String) -> String { vietnamese ? vi : en }

    /// A help string of ours: its Vietnamese translation from `helpCatalogue` when the user reads
    /// Vietnamese and there is one, else the English.
    static func help(_ en: String) -> ArgumentHelp { ArgumentHelp(stringLiteral: helpText(en)) }

    static func helpText(_ en: String) -> String { vietnamese ? (helpCatalogue[en] ?? en) : en }

    /// A decimal as the user writes it: "2,5" in Vietnamese.
    static func decimal(_ text: String) -> String { vietnamese ? text.replacingOccurrences(of: ".", with: ",") : text }

    /// A lot's status word.
    static func status(_ english: String) -> String {
        guard vietnamese else { return english }
        switch english {
        case "active": return "đang hoạt động"
        case "used up": return "đã dùng hết"
        case "exported": return "đã xuất khẩu"
        case "voided": return "đã hủy"
        default:
            return english.hasPrefix("in transit to ") ? "đang chuyển đến " + english.dropFirst(14) : english
        }
    }

    /// One refusal line for an error `code`: in Vietnamese, the catalogue's headline, then the
    /// details as the rule wrote them; in English the message. Never the internal event id.
    static func refusal(code: String, field: String? = nil, english: String, prefix: String? = "refused") -> String {
        let detail = MessageCatalogue.withoutEventID(english)
        let lead = field.map { "\($0): " } ?? ""
        guard vietnamese, let headline = MessageCatalogue.vietnamese(code) else {
            return "\(prefix.map { "\($0): " } ?? "")\(lead)\(detail) [\(code)]"
        }
        let word = prefix.map { $0 == "refused" ? "bị từ chối: " : "lỗi: " } ?? ""
        return "\(word)\(lead)\(headline) — \(detail) [\(code)]"
    }

    /// A message built elsewhere in English, line by line: a refusal ending in "[code]" gets the
    /// catalogue's headline and loses the internal event id; other lines get their leading word
    /// in Vietnamese, the rest naming fields and values, which read the same in both.
    static func lines(_ message: String) -> String {
        message.split(separator: "\n", omittingEmptySubsequences: false).map { line(String($0)) }.joined(separator: "\n")
    }

    static func line(_ message: String) -> String {
        // "line 3: refused: ... [domain.x]" (a batch) keeps its place in front.
        var place = ""
        var rest = message
        if let match = rest.firstMatch(of: /^((?:line|row|dòng) \d+(?:, [^:]+)?: )/) {
            place = String(match.output.1)
            rest = String(rest.dropFirst(place.count))
        }
        if let match = rest.firstMatch(of: /^(?:(refused|error): )?(.*) \[([a-z]+\.[a-z_]+)\]$/) {
            return place
                + refusal(code: String(match.output.3), english: String(match.output.2), prefix: match.output.1.map(String.init))
        }
        guard vietnamese else { return place + rest }
        for (en, vi) in [
            ("error: ", "lỗi: "), ("refused: ", "bị từ chối: "), ("verification FAILED: ", "KIỂM TRA THẤT BẠI: "),
            ("warning: ", "cảnh báo: "), ("nothing was written", "không có gì được ghi"),
        ] where rest.hasPrefix(en) {
            return place + vi + rest.dropFirst(en.count)
        }
        return place + rest
    }

    /// Vietnamese for our own help strings, keyed by the English (swift-argument-parser prints
    /// its own headings, USAGE:, OPTIONS:, and its parse errors, in English: they are not ours).
    static let helpCatalogue: [String: String] = [
        "A verifiable farm-to-export traceability ledger.":
            "Sổ cái truy xuất nguồn gốc từ nông trại đến xuất khẩu, kiểm chứng được.",
        "Every registered party: id, roles, name (a person by id only).":
            "Mọi bên đã đăng ký: mã, vai trò, tên (cá nhân chỉ hiện mã).",
        "Registered plots, or one member farm's plots.": "Các thửa đất đã đăng ký, hoặc các thửa của một nông hộ.",
        "Only this member farm's plots.": "Chỉ các thửa của nông hộ này.",
        "Look up lots.": "Tra cứu lô hàng.",
        "Lots: those a party holds now (--holder), or those grown on a farm or made from its harvests (--farm).":
            "Các lô: lô một bên đang giữ (--holder), hoặc lô trồng ở một nông hộ hay làm từ sản lượng của nông hộ đó (--farm).",
        "Only lots this party holds now.": "Chỉ các lô bên này đang giữ.",
        "Only lots from this member farm's plots, and lots made from them.":
            "Chỉ các lô từ thửa đất của nông hộ này, và các lô làm từ chúng.",
        "Print a private key file's verifier key (to give to the ledger operator).":
            "In khóa xác minh của một tệp khóa bí mật (để gửi cho đơn vị vận hành sổ cái).",
        "The private key file (PKCS#8 PEM).": "Tệp khóa bí mật (PKCS#8 PEM).",
        "The key's name (default: the file's name without .key).": "Tên khóa (mặc định: tên tệp bỏ đuôi .key).",
        "Print one JSON document instead of text.": "In một tài liệu JSON thay cho văn bản.",
        "Record a harvest: a new lot from a plot.": "Ghi một lần thu hoạch: một lô mới từ một thửa đất.",
        "The new lot's code (letters, digits, '-', at most 20).": "Mã lô mới (chữ, số, '-', tối đa 20 ký tự).",
        "Send the writes queued while the server could not be reached, and report each answer.":
            "Gửi các sự kiện đã xếp hàng khi không kết nối được máy chủ, và báo kết quả từng sự kiện.",
        "The outbox folder (default: $TRACE_OUTBOX, else ./trace-outbox).":
            "Thư mục hộp thư chờ (mặc định: $TRACE_OUTBOX, hoặc ./trace-outbox).",
        "The server to send to (default: the one each queued event was meant for).":
            "Máy chủ để gửi đến (mặc định: máy chủ ghi kèm từng sự kiện).",
        "A CSV file saved from a spreadsheet: harvests, shipments or receipts (Vietnamese or English headers).":
            "Tệp CSV lưu từ bảng tính: thu hoạch, gửi hàng hoặc nhận hàng (tiêu đề tiếng Việt hoặc tiếng Anh).",
        "The JSON Lines file, or - for standard input.": "Tệp JSON Lines, hoặc - để đọc từ đầu vào chuẩn.",
        "Sign and append many events at once (one JSON event a line, or a spreadsheet's CSV), all or nothing.":
            "Ký và ghi nhiều sự kiện cùng lúc (mỗi dòng một sự kiện JSON, hoặc CSV từ bảng tính): ghi hết hoặc không ghi gì.",
        "Queue the write in the outbox instead of sending it now (send later with `trace sync`).":
            "Xếp sự kiện vào hộp thư chờ thay vì gửi ngay (gửi sau bằng `trace sync`).",
    ]
}
