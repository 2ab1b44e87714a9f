import CanonicalJSON
import Foundation
import TraceCertificates
import TraceDomain
import TraceLedger

/// The page a buyer reaches from a pack's QR code: what the lot is, where it came from (the
/// cooperatives, farms and a map of their plots), its way from harvest to export, its
/// certifications, and whether the ledger's proofs for it check. One self-contained HTML page
/// (inline CSS and SVG, no scripts, fonts or images from elsewhere), readable on a phone.
struct BuyerPage {
    let lineage: Lineage
    /// What the buyer's check of the lot found: the same verdict the CLI and the API give.
    let verdict: Verdict
    let ledgerSize: UInt64
    let language: BuyerLanguage
    /// The page's own path, for the language switch.
    let path: String

    private var state: DomainState { lineage.chain.state }
    private func t(_ vi: String, _ en: String) -> String { language.pick(vi, en) }
    private func esc(_ s: String) -> String { HTMLText.escape(s) }
    private var vi: Bool { language == .vi }
    private func mass(_ m: Mass) -> String { DisplayFormat.mass(m, vietnamese: vi) }
    private func day(_ s: String) -> String { DisplayFormat.date(s, vietnamese: vi) }

    /// A party's public name: an organisation's legal name; a person is never named here.
    private func name(_ id: String) -> String {
        guard let party = state.parties[id] else { return id }
        return party.name ?? t("nông hộ thành viên", "member farmer")
    }

    func render() throws -> String {
        let lot = lineage.root
        let origins = lineage.upstreamLots.compactMap { lot in lot.plot.flatMap { state.plots[$0] }.map { (lot, $0) } }
        var html = header(title: t("Lô \(lot.code.text)", "Lot \(lot.code.text)"))
        html += "<main>\n"
        html += verdictSection()
        html += "<h1>\(esc(lot.product))</h1>\n<p class=\"code\">\(t("Mã lô", "Lot code")) <b>\(esc(lot.code.text))</b></p>\n"
        html += "<dl class=\"facts\">\n"
        html += fact(t("Khối lượng", "Quantity"), mass(lot.produced))
        html += fact(t("Đang giữ", "Held by"), name(lot.custodian))
        if let export = lot.export {
            html += fact(t("Nhà xuất khẩu", "Exporter"), name(exporter(export)))
            html += fact(t("Người mua", "Buyer"), "\(name(export.buyer)), \(export.country)")
            html += fact(t("Container", "Container"), export.container)
            if let gtin = export.gtin { html += fact("GTIN", gtin) }
        }
        html += "</dl>\n"
        html += originSection(origins)
        html += try timelineSection()
        html += certificationSection()
        html += "</main>\n" + footer()
        return html
    }

    /// The party that recorded the export.
    private func exporter(_ export: ExportRecord) -> String {
        (try? lineage.timeline(lineage.root).first { $0.seq == export.seq }?.actor) ?? lineage.root.custodian
    }

    private func verdictSection() -> String {
        let v = verdict
        let n = { (x: Int) in DisplayFormat.number(Decimal(x), vietnamese: self.vi) }
        let size = n(Int(v.recallStatusAtSize))
        let checked = t(
            "Đã kiểm tra \(n(v.entriesChecked)) bút toán của lô này trong sổ cái \(n(Int(ledgerSize))) bút toán: mỗi bút toán nằm trong điểm kiểm tra (checkpoint) \(size) bút toán do đơn vị vận hành ký, mỗi chữ ký hợp lệ, mọi quy tắc (quyền giữ lô, cân bằng khối lượng) được tuân thủ.",
            "Checked \(n(v.entriesChecked)) entries of this lot's story in a ledger of \(n(Int(ledgerSize))): each is included in the operator's signed checkpoint of \(size) entries, each signature is valid, and every rule (custody, mass balance) was kept."
        )
        let status = t(
            "Tình trạng thu hồi đọc tại điểm kiểm tra \(size) bút toán.",
            "Recall status read at the checkpoint of \(size) entries.")
        switch v.state {
        case .verified:
            return """
                <section class="verdict ok" role="status"><p class="mark">✓ \(v.headline(vietnamese: vi))</p><p>\(esc(checked))</p><p class="small">\(esc(status)) \(t("Không có lệnh thu hồi nào đang hiệu lực.", "No recall is open."))</p></section>

                """
        case .recalled:
            var items = ""
            for r in v.recalls {
                let from =
                    r.lot.uppercased() == v.lot
                    ? t("Lô này bị thu hồi", "This lot is recalled")
                    : t(
                        "Thu hồi từ lô \(r.lot), lô này được làm từ lô đó",
                        "Recalled from lot \(r.lot), which this lot was made from")
                items += """
                    <li><b>\(esc(from))</b><br>\(t("Lý do", "Reason")): <b>\(esc(r.reason))</b><br>\(t("Ngày", "Date")): \(esc(day(r.time))) · \(t("bởi", "by")) \(esc(r.actor == DomainState.operatorID ? t("đơn vị vận hành sổ cái", "the ledger's operator") : name(r.actor))) · \(t("bút toán", "entry")) \(r.entry)</li>

                    """
            }
            return """
                <section class="verdict recalled" role="alert"><p class="mark">⚠ \(v.headline(vietnamese: vi))</p>
                <p>\(esc(t("Lô hàng này là thật (chữ ký và bằng chứng hợp lệ) nhưng đang bị thu hồi: không nhận, không bán, không sử dụng.", "This lot is authentic (its signatures and proofs check) but it is under recall: do not accept, sell or use it.")))</p>
                <ul class="recalls">
                \(items)</ul>
                <p class="small">\(esc(status))</p></section>

                """
        case .notVerified:
            return """
                <section class="verdict bad" role="alert"><p class="mark">✗ \(v.headline(vietnamese: vi))</p><p>\(esc(v.failure?.reason ?? ""))</p></section>

                """
        }
    }

    private func originSection(_ origins: [(LotRecord, PlotRecord)]) -> String {
        guard !origins.isEmpty else { return "" }
        var html = "<h2>\(t("Nguồn gốc", "Origin"))</h2>\n<ul class=\"origins\">\n"
        var seen: Set<String> = []
        for (lot, plot) in origins where seen.insert(plot.id + lot.code.key).inserted {
            let address = state.parties[plot.cooperative]?.address?.line
            html += "<li><b>\(esc(name(plot.cooperative)))</b>"
            if let address { html += " — \(esc(address))" }
            // A member farmer is a person: said so, never named.
            let farm =
                state.parties[plot.farm]?.isPerson == true
                ? t("Nông hộ thành viên (không công bố tên)", "A member farmer (name not published)")
                : "\(t("Trang trại", "Farm")): \(esc(name(plot.farm)))"
            html +=
                "<br>\(farm), \(t("thửa", "plot")) \(esc(plot.id)) "
                + "(\(DisplayFormat.number(plot.areaHa, vietnamese: vi)) ha, \(esc(plot.crop)))"
            if let code = plot.growingAreaCode {
                html += "<br>\(t("Mã số vùng trồng", "Growing-area code")): <b>\(esc(code))</b>"
            }
            // A correction is shown as one, never folded in silently.
            for a in plot.amendments {
                html +=
                    "<br><span class=\"correction\">\(esc(correction(a, subject: t("thửa \(plot.id)", "plot \(plot.id)"))))</span>"
            }
            if let harvested = lot.harvested {
                html +=
                    "<br>\(t("Thu hoạch", "Harvested")) \(esc(day(harvested))): \(t("lô", "lot")) \(esc(lot.code.text)), \(esc(mass(lot.produced)))"
            }
            html += "</li>\n"
        }
        html += "</ul>\n"
        let plots = Dictionary(origins.map { ($0.1.id, $0.1) }, uniquingKeysWith: { a, _ in a }).values.sorted { $0.id < $1.id }
        let map = PlotMap(plots: plots.map { PlotMap.Plot(record: $0, label: $0.id) }, width: 480, height: 300)
        html += "<figure class=\"map\">\(map.svg(title: t("Bản đồ các thửa", "Map of the plots")))"
        html +=
            "<figcaption>\(t("Các thửa đất nơi lô được thu hoạch", "The plots this lot was harvested on"))</figcaption></figure>\n"
        return html
    }

    private func timelineSection() throws -> String {
        var steps: [UInt64: (TimelineEvent, String)] = [:]
        for lot in lineage.upstreamLots {
            // A voided step did not happen: the buyer sees the correction instead.
            for step in try lineage.timeline(lot) where steps[step.seq] == nil && !state.isVoided(entry: step.seq) {
                steps[step.seq] = (step, lot.code.text)
            }
        }
        guard !steps.isEmpty else { return "" }
        var html = "<h2>\(t("Hành trình", "Journey"))</h2>\n<ol class=\"timeline\">\n"
        for (_, (step, code)) in steps.sorted(by: { $0.key < $1.key }) {
            var detail = "\(t("lô", "lot")) \(code) · \(name(step.actor))"
            switch step.event.kind {
            case .ship(let ship): detail += " → \(name(ship.to))"
            case .export(let export): detail += " → \(export.country)"
            case .recall(let recall): detail += ": \(recall.reason)"
            case .void(let void): detail += ": \(void.reason)"
            default: break
            }
            if let code = state.parties[step.actor]?.packhouseCode {
                detail += " · \(t("mã số cơ sở đóng gói", "packhouse code")) \(code)"
            }
            // A harvest is dated by the day it was harvested, not the day it was recorded.
            var when = step.time
            if case .harvest(let harvest) = step.event.kind { when = harvest.harvested }
            html +=
                "<li><time>\(esc(day(when)))</time> <b>\(esc(language.step(step.type)))</b> "
                + "<span>\(esc(detail))</span></li>\n"
        }
        return html + "</ol>\n"
    }

    /// "Corrected by entry 12 (reason): area 2.4 → 1.1": what an amendment changed, in the page's language.
    private func correction(_ a: Amendment, subject: String) -> String {
        let changes = a.changes.sorted { $0.key < $1.key }.map { field, values in
            "\(field) \(values.first ?? "") → \(values.last ?? "")"
        }
        let why = a.reason.map { " (\($0))" } ?? ""
        return t("Đính chính \(subject), bút toán \(a.seq)\(why): ", "Correction of \(subject), entry \(a.seq)\(why): ")
            + changes.joined(separator: "; ")
    }

    private func certificationSection() -> String {
        let certifications = lineage.upstreamLots.flatMap { lot in lot.certifications.filter { !$0.voided }.map { (lot, $0) } }
        guard !certifications.isEmpty else { return "" }
        var html = "<h2>\(t("Chứng nhận", "Certifications"))</h2>\n<ul class=\"certs\">\n"
        for (lot, c) in certifications {
            html +=
                "<li><b>\(esc(c.scheme))</b> — \(esc(name(c.certifier))) (\(t("lô", "lot")) \(esc(lot.code.text))"
                + (c.validUntil.map { ", \(t("hiệu lực đến", "valid until")) \(esc($0))" } ?? "")
                + ")<br><span class=\"mono\">sha256 \(esc(String(c.documentSHA256.prefix(16))))…</span></li>\n"
        }
        return html + "</ul>\n"
    }

    private func fact(_ label: String, _ value: String) -> String {
        "<dt>\(esc(label))</dt><dd>\(esc(value))</dd>\n"
    }

    private func header(title: String) -> String {
        BuyerPage.head(title: title, language: language, path: path)
    }

    private func footer() -> String {
        """
        <footer>\(t("Sổ cái truy xuất nguồn gốc có thể kiểm chứng. Dữ liệu cá nhân của nông hộ không được công bố.",
            "A verifiable traceability ledger. Farmers' personal data is not published."))</footer>
        </body>
        </html>

        """
    }

    /// The page's head and top bar with the language switch; shared with the not-found page.
    static func head(title: String, language: BuyerLanguage, path: String) -> String {
        let other: BuyerLanguage = language == .vi ? .en : .vi
        return """
            <!DOCTYPE html>
            <html lang="\(language.rawValue)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(title))</title>
            <style>
            \(css)
            </style>
            </head>
            <body>
            <nav><span class="brand">trace</span><a class="lang" href="\(HTMLText.escape(path))?lang=\(other.rawValue)" hreflang="\(other.rawValue)">\(other == .vi ? "Tiếng Việt" : "English")</a></nav>

            """
    }

    static let css = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
          font-size: 17px; line-height: 1.5; color: #1a1a1a; background: #f6f7f2; }
        nav { display: flex; justify-content: space-between; align-items: center; padding: 10px 16px; background: #1b5e20; color: #fff; }
        nav .brand { font-weight: 700; letter-spacing: .05em; }
        nav a { color: #fff; border: 1px solid #a5d6a7; border-radius: 16px; padding: 4px 12px; text-decoration: none; }
        main { max-width: 720px; margin: 0 auto; padding: 12px 16px 24px; }
        h1 { font-size: 1.6em; margin: .4em 0 0; color: #1b5e20; }
        h2 { font-size: 1.15em; margin: 1.4em 0 .4em; color: #1b5e20; border-bottom: 2px solid #c8e6c9; }
        .code { margin: 0 0 .6em; color: #555; }
        .verdict { border-radius: 10px; padding: 10px 14px; margin: 8px 0; }
        .verdict p { margin: .2em 0; }
        .verdict .mark { font-size: 1.3em; font-weight: 800; }
        .ok { background: #e8f5e9; border: 2px solid #2e7d32; } .ok .mark { color: #1b5e20; }
        .bad { background: #ffebee; border: 2px solid #c62828; } .bad .mark { color: #b71c1c; }
        .recalled { background: #b71c1c; color: #fff; border: 2px solid #7f0000; } .recalled .mark { color: #fff; }
        .recalled ul { background: #fff; color: #1a1a1a; border-radius: 8px; padding: 8px 8px 8px 28px; }
        .verdict .small { font-size: .85em; opacity: .9; }
        .correction { color: #8d6e00; font-size: .9em; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 0; }
        dt { color: #555; } dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
        ul, ol { padding-left: 1.2em; } li { margin: .4em 0; }
        ol.timeline { list-style: none; padding: 0; border-left: 3px solid #a5d6a7; margin-left: 6px; }
        ol.timeline li { padding-left: 12px; position: relative; }
        ol.timeline li::before { content: ""; position: absolute; left: -8px; top: .5em; width: 11px; height: 11px;
          border-radius: 50%; background: #2e7d32; }
        time { color: #555; font-variant-numeric: tabular-nums; }
        figure.map { margin: 8px 0; } figure.map svg { width: 100%; height: auto; background: #fff; border: 1px solid #ccc; border-radius: 8px; }
        figcaption { font-size: .85em; color: #555; }
        .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .8em; color: #555; }
        form { display: flex; gap: 8px; flex-wrap: wrap; } input { font-size: 1em; padding: 8px; flex: 1; min-width: 10em; }
        button { font-size: 1em; padding: 8px 16px; background: #1b5e20; color: #fff; border: 0; border-radius: 6px; }
        footer { max-width: 720px; margin: 0 auto; padding: 12px 16px 32px; font-size: .85em; color: #666; }
        """

    /// The look-up box, shared by the home page and the not-found page.
    static func lookUpForm(_ language: BuyerLanguage) -> String {
        let t = language.pick
        return """
            <form action="/lot" method="get">
            <input name="code" aria-label="\(t("Mã lô", "Lot code"))" placeholder="LA-ST25-0007" maxlength="20" required>
            <input type="hidden" name="lang" value="\(language.rawValue)">
            <button type="submit">\(t("Tra cứu", "Look up"))</button>
            </form>
            """
    }

    /// The home page: what a buyer can check here, and the look-up box.
    static func home(language: BuyerLanguage, path: String) -> String {
        let t = language.pick
        return head(title: t("Tra cứu nguồn gốc", "Check a lot's origin"), language: language, path: path) + """
            <main>
            <h1>\(t("Tra cứu nguồn gốc lô hàng", "Check where a lot comes from"))</h1>
            <p>\(t("Nhập mã lô in trên bao bì, hoặc quét mã QR. Trang sẽ cho biết lô đến từ hợp tác xã và thửa đất nào, hành trình của nó, và kết quả kiểm tra bằng chữ ký số: đã xác minh, đang bị thu hồi, hoặc chưa xác minh được.", "Type the lot code printed on the pack, or scan its QR code. You will see which cooperatives and plots it came from, its journey, and a cryptographic verdict: verified, recalled, or not verified."))</p>
            \(lookUpForm(language))
            </main>
            </body>
            </html>

            """
    }

    /// The page for a lot code nobody recorded: what may be wrong, and a box to type it again.
    static func notFound(code: String, language: BuyerLanguage, path: String) -> String {
        let t = language.pick
        return head(title: t("Không tìm thấy lô", "Lot not found"), language: language, path: path) + """
            <main>
            <h1>\(t("Không tìm thấy lô này", "We could not find this lot"))</h1>
            <p>\(t("Sổ cái không có lô mang mã", "The ledger has no lot with the code")) <b>\(HTMLText.escape(String(code.prefix(40))))</b>.</p>
            <ul>
            <li>\(t("Kiểm tra lại mã in trên bao bì: chữ cái, chữ số và dấu '-', tối đa 20 ký tự.", "Check the code printed on the pack: letters, digits and '-', at most 20 characters."))</li>
            <li>\(t("Nếu bạn quét mã QR, lô có thể đã được ghi ở một sổ cái khác; hãy hỏi người bán.", "If you scanned a QR code, the lot may be recorded on another ledger; ask the seller."))</li>
            </ul>
            \(lookUpForm(language))
            </main>
            </body>
            </html>

            """
    }
}
