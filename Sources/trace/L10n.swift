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

    /// A help page as swift-argument-parser printed it, in Vietnamese: its wrapped lines joined
    /// again so each of our help strings can be found whole and replaced from `helpCatalogue`,
    /// and its headings translated. Its parse errors ("Missing expected argument ...") are not
    /// help pages and stay English.
    static func helpPage(_ text: String) -> String {
        guard vietnamese else { return text }
        var lines: [String] = []
        var inOverview = false
        for line in text.components(separatedBy: "\n") {
            let deep = line.hasPrefix(String(repeating: " ", count: 10))
            if let last = lines.last, !last.isEmpty, !line.isEmpty, deep || (inOverview && !line.hasPrefix(" ")) {
                lines[lines.count - 1] = last + (last.hasSuffix(" ") ? "" : " ") + line.trimmingCharacters(in: .whitespaces)
                continue
            }
            if line.isEmpty { inOverview = false }
            if line.hasPrefix("OVERVIEW: ") { inOverview = true }
            lines.append(line)
        }
        var page = lines.joined(separator: "\n")
        for english in helpCatalogue.keys.sorted(by: { $0.count > $1.count }) {
            page = page.replacingOccurrences(of: english, with: helpCatalogue[english]!)
        }
        for (english, vietnamese) in [
            ("OVERVIEW:", "TỔNG QUAN:"), ("USAGE:", "CÁCH DÙNG:"), ("OPTIONS:", "TÙY CHỌN:"), ("ARGUMENTS:", "ĐỐI SỐ:"),
            ("SUBCOMMANDS:", "LỆNH CON:"), ("Show help information.", "Hiện trợ giúp này."), ("(default: ", "(mặc định: "),
            ("See 'trace help <subcommand>' for detailed help.", "Xem 'trace help <lệnh con>' để biết chi tiết."),
        ] {
            page = page.replacingOccurrences(of: english, with: vietnamese)
        }
        return page
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
        "Exit status: 0 success, 1 a verification failed, 2 bad input or usage.":
            "Mã thoát: 0 thành công, 1 kiểm tra thất bại, 2 dữ liệu hoặc cách dùng sai, 3 không kết nối được máy chủ hoặc không ghi được.",
        "The ledger file (default: $TRACE_LEDGER, else ./trace.db).": "Tệp sổ cái (mặc định: $TRACE_LEDGER, hoặc ./trace.db).",
        "A running `trace serve` to talk to instead of a local file (default: $TRACE_SERVER).":
            "Một máy chủ `trace serve` để làm việc thay cho tệp trên máy (mặc định: $TRACE_SERVER).",
        "A signed checkpoint note you hold: refuse (exit 1) a ledger shorter than it or not extending it.":
            "Một điểm kiểm tra đã ký bạn đang giữ: từ chối (mã 1) sổ cái ngắn hơn hoặc không nối tiếp nó.",
        "The signer's private key (default: $TRACE_KEY; operator commands fall back to the operator key beside the ledger).":
            "Khóa bí mật của người ký (mặc định: $TRACE_KEY; lệnh của đơn vị vận hành dùng khóa vận hành cạnh sổ cái).",
        "The event's id; resubmitting the same event with the same id records it once.":
            "Mã sự kiện; gửi lại cùng sự kiện với cùng mã chỉ được ghi một lần.",
        "The product, like \"Lúa ST25\".": "Sản phẩm, ví dụ \"Lúa ST25\".",
        "The quantity, a decimal like 1200.5.": "Khối lượng, số thập phân như 1200.5.",
        "kg, t, tạ, yến or g.": "kg, t, tạ, yến hoặc g.",
        "The plot it was harvested from.": "Thửa đất nơi thu hoạch.",
        "The harvest date, YYYY-MM-DD.": "Ngày thu hoạch, YYYY-MM-DD.",
        "Drying, milling, sorting, packing: input lots become output lots.":
            "Sấy, xay xát, phân loại, đóng gói: lô đầu vào thành lô đầu ra.",
        "An input, LOT:QUANTITY[:UNIT]; repeat for several.": "Một đầu vào, LÔ:KHỐI LƯỢNG[:ĐƠN VỊ]; lặp lại cho nhiều lô.",
        "An output, LOT:QUANTITY[:UNIT]; repeat for several.": "Một đầu ra, LÔ:KHỐI LƯỢNG[:ĐƠN VỊ]; lặp lại cho nhiều lô.",
        "The product the outputs are, like \"Gạo ST25\".": "Sản phẩm đầu ra, ví dụ \"Gạo ST25\".",
        "The process: drying, milling, sorting, packing, ...": "Quy trình: sấy, xay xát, phân loại, đóng gói, ...",
        "The most output per input, like 0.7 for milling paddy to rice.":
            "Đầu ra tối đa trên mỗi đơn vị đầu vào, ví dụ 0.7 khi xay lúa thành gạo.",
        "Ship a lot to another party.": "Gửi một lô cho bên khác.",
        "Receive a lot shipped to you.": "Nhận một lô được gửi cho bạn.",
        "The lot.": "Mã lô.",
        "The receiving party.": "Bên nhận.",
        "Divide a lot into smaller lots of the same product.": "Chia một lô thành các lô nhỏ cùng sản phẩm.",
        "Combine whole lots of one product into a new lot.": "Gộp các lô cùng sản phẩm thành một lô mới.",
        "Export a lot to a buyer abroad.": "Xuất khẩu một lô cho người mua ở nước ngoài.",
        "Cancel a mistaken entry with a new one; nothing is deleted.": "Hủy một mục ghi nhầm bằng một mục mới; không xóa gì.",
        "Hold a suspect lot and every lot made from it; list whom to notify.":
            "Tạm giữ một lô nghi vấn và mọi lô làm từ nó; liệt kê những bên cần báo.",
        "Lift the hold of a recall.": "Dỡ bỏ việc tạm giữ của một lần thu hồi.",
        "Create a ledger and its operator key; print the operator's verifier key.":
            "Tạo sổ cái và khóa vận hành; in khóa xác minh của đơn vị vận hành.",
        "Manage signing keys.": "Quản lý khóa ký.",
        "Make a party key (PKCS#8 PEM, mode 0600); print its verifier key.":
            "Tạo khóa cho một bên (PKCS#8 PEM, quyền 0600); in khóa xác minh.",
        "Register parties and rotate or revoke their keys (operator).":
            "Đăng ký các bên, thay hoặc thu hồi khóa (đơn vị vận hành).",
        "Register a party: a cooperative, farm, processor, exporter, certifier or buyer.":
            "Đăng ký một bên: hợp tác xã, nông hộ, cơ sở chế biến, nhà xuất khẩu, tổ chức chứng nhận hoặc người mua.",
        "Register member plots (cooperative) and correct them.": "Đăng ký và sửa thửa đất của xã viên (hợp tác xã).",
        "Register a plot: GeoJSON Point or Polygon in [longitude, latitude], kept to 6 decimal places.":
            "Đăng ký thửa đất: GeoJSON Point hoặc Polygon theo [kinh độ, vĩ độ], giữ 6 chữ số thập phân.",
        "The plot's id.": "Mã thửa.",
        "The member farm.": "Nông hộ xã viên.",
        "GeoJSON geometry, or @FILE to read it from a file.": "Hình học GeoJSON, hoặc @TỆP để đọc từ tệp.",
        "Area in hectares, like 2.5.": "Diện tích (ha), ví dụ 2.5.",
        "The crop, like \"lúa ST25\" or \"thanh long ruột đỏ\".": "Cây trồng, ví dụ \"lúa ST25\" hoặc \"thanh long ruột đỏ\".",
        "Show a lot: what it is, who holds it, its history.": "Xem một lô: là gì, ai đang giữ, lịch sử của nó.",
        "A lot's tree: up to every origin plot and harvest, down to every export.":
            "Cây nguồn gốc của một lô: lên đến mọi thửa và lần thu hoạch, xuống đến mọi lô xuất khẩu.",
        "Verify the whole ledger: chain, Merkle root against the signed checkpoints, every signature.":
            "Kiểm tra toàn bộ sổ cái: chuỗi băm, gốc Merkle so với các điểm kiểm tra đã ký, mọi chữ ký.",
        "A buyer's check of one lot: its lineage's entries, their inclusion proofs, signatures and rules only.":
            "Người mua kiểm tra một lô: chỉ các mục trong nguồn gốc của lô, bằng chứng, chữ ký và quy tắc.",
        "Serve the HTTP API and the buyer's web page for this ledger.":
            "Chạy API HTTP, trang cho người mua và ứng dụng ghi chép (/app) cho sổ cái này.",
    ]
}
