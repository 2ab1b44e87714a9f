import Foundation

/// The buyer page's language: Vietnamese or English, chosen by `?lang=`, else by the browser's
/// Accept-Language, else Vietnamese.
enum BuyerLanguage: String, Sendable {
    case vi, en

    init(query: String?, acceptLanguage: String?) {
        if let query, let chosen = BuyerLanguage(rawValue: query.lowercased()) {
            self = chosen
            return
        }
        // "en-GB,en;q=0.9,vi;q=0.8": the highest-weighted language we speak wins.
        var best: (BuyerLanguage, Double)?
        for part in (acceptLanguage ?? "").split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = fields.first?.lowercased(), let language = BuyerLanguage(rawValue: String(tag.prefix(2))) else {
                continue
            }
            let q = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if q > (best?.1 ?? 0) { best = (language, q) }
        }
        self = best?.0 ?? .vi
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
