import Foundation

/// The buyer page's language: Vietnamese or English, chosen by `?lang=`, else by the browser's
/// Accept-Language. Vietnamese with no preference at all; any other language falls back to
/// English, which a buyer abroad is likelier to read.
package enum BuyerLanguage: String, Sendable {
    case vi, en

    package init(query: String?, acceptLanguage: String?) {
        if let query, !query.isEmpty {
            self = query.lowercased().hasPrefix("vi") ? .vi : .en
            return
        }
        // "de-DE,de;q=0.9,vi;q=0.8": the browser's first choice decides; Vietnamese only when it
        // is preferred over every other language, anything else reads English.
        var best: (tag: String, q: Double)?
        for part in (acceptLanguage ?? "").split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = fields.first?.lowercased(), !tag.isEmpty, tag != "*" else { continue }
            let q = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if q > 0, q > (best?.q ?? 0) { best = (tag, q) }
        }
        guard let best else {
            self = .vi
            return
        }
        self = best.tag.hasPrefix("vi") ? .vi : .en
    }

    /// The text in this language.
    func pick(_ vi: String, _ en: String) -> String { self == .vi ? vi : en }

    /// What an event type is called on the page.
    func step(_ type: String) -> String {
        switch type {
        case "harvest": pick("Thu hoạch", "Harvest")
        case "transform": pick("Chế biến", "Processing")
        case "split": pick("Chia lô", "Split")
        case "merge": pick("Gộp lô", "Merge")
        case "ship": pick("Vận chuyển", "Shipped")
        case "receive": pick("Tiếp nhận", "Received")
        case "certify": pick("Chứng nhận", "Certified")
        case "export": pick("Xuất khẩu", "Exported")
        case "recall": pick("Thu hồi", "Recall")
        case "release": pick("Gỡ thu hồi", "Recall lifted")
        case "void": pick("Huỷ bút toán", "Correction")
        default: type
        }
    }
}
