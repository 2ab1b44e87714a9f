import Foundation
import TraceCertificates
import TraceDomain

/// The programme at a glance, for the province and the public: key figures, monthly volumes,
/// volumes by commune, the certified share and a map of the plots, as inline SVG drawn here (no
/// scripts, fonts or tiles). Every figure is the one `trace stats` gives at the same checkpoint.
struct StatsPage {
    let stats: Stats
    /// The crops anyone may filter by (from the unfiltered figures).
    let crops: [String]
    /// The plots the filter covers, drawn without ids or names.
    let plots: [PlotRecord]
    let language: BuyerLanguage
    let path: String
    /// How many plots the filter covers, when `plots` was left empty because there are too many to draw.
    var plotCount: Int? = nil

    private func t(_ vi: String, _ en: String) -> String { language.pick(vi, en) }
    private func esc(_ s: String) -> String { HTMLText.escape(s) }
    private var vi: Bool { language == .vi }
    private func number(_ value: Decimal) -> String { DisplayFormat.number(value, vietnamese: vi) }
    private func mass(_ kilograms: Decimal) -> String { DisplayFormat.mass(Mass(kilograms: kilograms), vietnamese: vi) }
    private func percent(_ share: Decimal) -> String {
        vi ? Stats.percent(share).replacingOccurrences(of: ".", with: ",") : Stats.percent(share)
    }
    private var suppressedText: String {
        t("ẩn (dưới \(Stats.threshold) nông hộ)", "suppressed (fewer than \(Stats.threshold) farms)")
    }

    func render() -> String {
        var html = BuyerPage.head(
            title: t("Số liệu truy xuất nguồn gốc", "Traceability at a glance"), language: language, path: path)
        html += "<style>\n\(Self.css)\n</style>\n<main class=\"wide\">\n"
        html += "<h1>\(t("Chương trình truy xuất nguồn gốc: số liệu", "The traceability programme at a glance"))</h1>\n"
        html += "<p class=\"code\">\(checkpointLine())</p>\n"
        html += filterForm()
        html += cards()
        html += "<h2>\(t("Sản lượng thu hoạch theo tháng", "Harvested volume by month"))</h2>\n" + monthChart()
        html += "<h2>\(t("Sản lượng theo xã, phường", "Volume by commune"))</h2>\n" + barList(stats.rows("commune"))
        html += "<h2>\(t("Tỷ lệ xuất khẩu có chứng nhận", "Certified share of exports"))</h2>\n" + certifiedChart()
        html += "<h2>\(t("Bản đồ thửa đất", "Map of the plots"))</h2>\n" + map()
        html += "<h2>\(t("Theo hợp tác xã", "By cooperative"))</h2>\n" + barList(stats.rows("cooperative"))
        html += "<h2>\(t("Xuất khẩu theo nước đến", "Exports by destination"))</h2>\n" + barList(stats.rows("country"))
        html += "</main>\n" + footer()
        return html
    }

    /// A filter that would single out fewer than the threshold's farms: the page says so.
    static func refused(_ error: DomainError, language: BuyerLanguage, path: String) -> String {
        let t = language.pick
        return BuyerPage.head(title: t("Số liệu truy xuất nguồn gốc", "Traceability at a glance"), language: language, path: path)
            + """
            <main>
            <h1>\(t("Không thể hiển thị bộ lọc này", "This filter cannot be shown"))</h1>
            <p>\(t("Bộ lọc này chỉ còn (hoặc chỉ bỏ ra) dưới \(Stats.threshold) nông hộ: số liệu sẽ để lộ sản lượng của từng hộ. Hãy chọn khoảng thời gian hoặc cây trồng rộng hơn.", "This filter covers (or leaves out) fewer than \(Stats.threshold) farms: its figures would reveal single farmers' harvests. Choose a wider period or crop."))</p>
            <p class="mono">\(HTMLText.escape(error.code.rawValue))</p>
            <p><a href="/stats?lang=\(language.rawValue)">\(t("Xem toàn bộ số liệu", "See all figures"))</a></p>
            </main>
            </body>
            </html>

            """
    }

    private func checkpointLine() -> String {
        let n = number(Decimal(stats.size))
        let period =
            stats.firstMonth.map { first in
                t("Vụ thu hoạch \(first) đến \(stats.lastMonth ?? first).", "Harvests \(first) to \(stats.lastMonth ?? first).")
            } ?? ""
        return t("Tính tại điểm kiểm tra \(n) bút toán, gốc Merkle", "Computed at the checkpoint of \(n) entries, Merkle root")
            + " <span class=\"mono\">\(esc(String(stats.root.prefix(16))))…</span>. " + esc(period)
    }

    private func filterForm() -> String {
        let options = ([("", t("Mọi cây trồng", "All crops"))] + crops.map { ($0, $0) }).map { value, label in
            "<option value=\"\(esc(value))\"\(stats.filter.crop?.lowercased() == value.lowercased() && !value.isEmpty ? " selected" : "")>\(esc(label))</option>"
        }.joined()
        return """
            <form class="filter" action="/stats" method="get">
            <label>\(t("Cây trồng", "Crop")) <select name="crop">\(options)</select></label>
            <label>\(t("Từ tháng", "From")) <input type="month" name="from" value="\(esc(stats.filter.from ?? ""))" placeholder="2026-01"></label>
            <label>\(t("Đến tháng", "To")) <input type="month" name="to" value="\(esc(stats.filter.to ?? ""))" placeholder="2026-12"></label>
            <input type="hidden" name="lang" value="\(language.rawValue)">
            <button type="submit">\(t("Lọc", "Filter"))</button>
            </form>

            """
    }

    private func cards() -> String {
        func figure(_ key: String, _ show: (StatsRow) -> String) -> String {
            guard let row = stats.total(key) else { return "0" }
            return row.suppressed ? "–" : show(row)
        }
        let items: [(String, String)] = [
            (t("Hợp tác xã", "Cooperatives"), number(Decimal(stats.rows("role").first { $0.key == "cooperative" }?.count ?? 0))),
            (t("Nông hộ ghi sổ", "Farms recording"), figure("farms") { number(Decimal($0.count)) }),
            (
                t("Thửa đất", "Plots"),
                figure("plots") { "\(number(Decimal($0.plots))) · \(number(Stats.rounded($0.hectares, places: 1))) ha" }
            ),
            (t("Thu hoạch", "Harvested"), figure("harvests") { mass($0.kilograms) }),
            (t("Xuất khẩu", "Exported"), figure("exports") { mass($0.kilograms) }),
            (t("Có chứng nhận", "Certified"), stats.certifiedShare.map(percent) ?? "–"),
            (t("Lệnh thu hồi đang mở", "Open recalls"), figure("open-recalls") { number(Decimal($0.count)) }),
        ]
        return "<div class=\"cards\">\n"
            + items.map { "<div class=\"card\"><span>\(esc($0.0))</span><b>\(esc($0.1))</b></div>" }.joined(separator: "\n")
            + "\n</div>\n"
    }

    /// Vertical bars of harvested kilograms per month; a suppressed month is a hatched stub.
    private func monthChart() -> String {
        let rows = stats.rows("month")
        guard !rows.isEmpty else { return "<p>\(t("Chưa có vụ thu hoạch nào.", "No harvest yet."))</p>\n" }
        // Narrow enough that its labels stay readable when a phone scales it to 360 px.
        let width = 480.0
        let height = 200.0
        let top = 16.0
        let bottom = 40.0
        let left = 8.0
        let peak = max(rows.map { NSDecimalNumber(decimal: $0.kilograms).doubleValue }.max() ?? 0, 1)
        let step = (width - 2 * left) / Double(rows.count)
        let barWidth = max(4, min(48, step * 0.7))
        var svg =
            "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(esc(t("Sản lượng theo tháng", "Volume by month")))\">"
        svg += "<line x1=\"0\" y1=\"\(height - bottom)\" x2=\"\(width)\" y2=\"\(height - bottom)\" stroke=\"#999\"/>"
        for (i, row) in rows.enumerated() {
            let x = left + step * Double(i) + (step - barWidth) / 2
            let labelEvery = max(1, rows.count / 12)
            if row.suppressed {
                svg +=
                    "<rect x=\"\(f(x))\" y=\"\(f(height - bottom - 12))\" width=\"\(f(barWidth))\" height=\"12\" fill=\"url(#hatch)\"><title>\(esc(row.key)): \(esc(suppressedText))</title></rect>"
            } else {
                let kg = NSDecimalNumber(decimal: row.kilograms).doubleValue
                let h = max(1, (height - top - bottom) * kg / peak)
                svg +=
                    "<rect x=\"\(f(x))\" y=\"\(f(height - bottom - h))\" width=\"\(f(barWidth))\" height=\"\(f(h))\" fill=\"#2e7d32\"><title>\(esc(row.key)): \(esc(mass(row.kilograms)))</title></rect>"
                if rows.count <= 12 {
                    svg +=
                        "<text x=\"\(f(x + barWidth / 2))\" y=\"\(f(height - bottom - h - 4))\" text-anchor=\"middle\" font-size=\"13\">\(esc(mass(row.kilograms)))</text>"
                }
            }
            if i % labelEvery == 0 {
                svg +=
                    "<text x=\"\(f(x + barWidth / 2))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\" font-size=\"13\">\(esc(row.key))</text>"
            }
        }
        svg += Self.hatch + "</svg>\n"
        return
            "<figure>\(svg)<figcaption>\(t("Vạch chéo: số liệu bị ẩn vì dưới \(Stats.threshold) nông hộ.", "Hatched: suppressed, fewer than \(Stats.threshold) farms."))</figcaption></figure>\n"
    }

    /// One labelled horizontal bar per row, scaled to the largest; suppressed rows say so.
    private func barList(_ rows: [StatsRow]) -> String {
        guard !rows.isEmpty else { return "<p>\(t("Chưa có số liệu.", "No figures yet."))</p>\n" }
        let peak = max(rows.map { NSDecimalNumber(decimal: $0.kilograms).doubleValue }.max() ?? 0, 1)
        var html = "<ul class=\"bars\">\n"
        for row in rows {
            if row.suppressed {
                html +=
                    "<li><span class=\"label\">\(esc(row.label))</span><span class=\"value muted\">\(esc(suppressedText))</span></li>\n"
                continue
            }
            let share = NSDecimalNumber(decimal: row.kilograms).doubleValue / peak
            let detail =
                [
                    mass(row.kilograms),
                    row.count > 0 ? t("\(row.count) lô", row.count == 1 ? "1 lot" : "\(row.count) lots") : nil,
                    row.farms > 0 ? t("\(row.farms) nông hộ", "\(row.farms) farms") : nil,
                ].compactMap { $0 }.joined(separator: " · ")
            html +=
                "<li><span class=\"label\">\(esc(row.label))</span><svg class=\"bar\" viewBox=\"0 0 100 8\" preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect width=\"\(f(max(0.5, share * 100)))\" height=\"8\" fill=\"#43a047\"/></svg><span class=\"value\">\(esc(detail))</span></li>\n"
        }
        return html + "</ul>\n"
    }

    /// The certified share of exported volume as one stacked bar, and the schemes behind it.
    private func certifiedChart() -> String {
        guard let share = stats.certifiedShare else { return "<p>\(t("Chưa có lô xuất khẩu.", "No export yet."))</p>\n" }
        let certified = NSDecimalNumber(decimal: share).doubleValue * 100
        var html =
            "<figure><svg class=\"share\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"\(esc(percent(share)))\"><rect width=\"100\" height=\"10\" fill=\"#e0e0e0\"/><rect width=\"\(f(certified))\" height=\"10\" fill=\"#1b5e20\"/></svg>"
        html +=
            "<figcaption><b>\(esc(percent(share)))</b> \(t("khối lượng xuất khẩu có chứng nhận hợp lệ (trên lô hoặc lô nguồn).", "of exported volume carries a valid certification (on the lot or a lot it came from)."))</figcaption></figure>\n"
        return html + barList(stats.rows("scheme"))
    }

    /// The most plots the map draws.
    static let mapLimit = 2000

    private func map() -> String {
        let count = plotCount ?? plots.count
        guard count > 0 else { return "<p>\(t("Chưa có thửa đất.", "No plot yet."))</p>\n" }
        guard count <= Self.mapLimit else {
            return
                "<p>\(t("Quá nhiều thửa để vẽ; xem tệp GeoJSON dữ liệu mở.", "Too many plots to draw; see the open-data GeoJSON."))</p>\n"
        }
        let svg = PlotMap(plots: plots.map { PlotMap.Plot(record: $0, label: "") }, width: 640, height: 360)
            .svg(title: t("Bản đồ thửa đất", "Map of the plots"))
        return
            "<figure class=\"map\">\(svg)<figcaption>\(t("Vẽ từ toạ độ thửa đất đã đăng ký, không dùng bản đồ nền.", "Drawn from the registered plots' geometry, without map tiles."))</figcaption></figure>\n"
    }

    private func footer() -> String {
        """
        <footer>\(t("Số liệu mở, tính từ sổ cái công khai; ai cũng có thể kiểm tra lại bằng `trace stats`. Nông hộ được đếm, không bao giờ nêu tên; số liệu dưới \(Stats.threshold) nông hộ bị ẩn.", "Open figures from the public ledger; anyone can recompute them with `trace stats`. Farms are counted, never named; figures behind fewer than \(Stats.threshold) farms are suppressed.")) <a href="/v1/stats">JSON</a></footer>
        </body>
        </html>

        """
    }

    private func f(_ x: Double) -> String { String(format: "%.1f", x) }

    static let hatch =
        "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eee\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#999\" stroke-width=\"2\"/></pattern></defs>"

    static let css = """
        main.wide { max-width: 960px; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 8px; margin: 12px 0; }
        .card { background: #fff; border: 1px solid #c8e6c9; border-radius: 10px; padding: 8px 12px; }
        .card span { display: block; font-size: .85em; color: #555; } .card b { font-size: 1.3em; color: #1b5e20; }
        form.filter { align-items: flex-end; } form.filter label { display: flex; flex-direction: column; font-size: .85em; color: #555; }
        form.filter select, form.filter input { font-size: 1em; padding: 6px; min-width: 8em; }
        svg.chart { width: 100%; height: auto; background: #fff; border: 1px solid #ddd; border-radius: 8px; }
        ul.bars { list-style: none; padding: 0; } ul.bars li { display: grid; grid-template-columns: minmax(7em, 30%) 1fr; gap: 2px 8px; align-items: center; }
        ul.bars .label { font-weight: 600; overflow-wrap: anywhere; } ul.bars svg.bar { width: 100%; height: 14px; }
        ul.bars .value { grid-column: 2; font-size: .85em; color: #333; } ul.bars .muted { color: #8d6e00; grid-column: 2; }
        svg.share { width: 100%; height: 28px; border-radius: 6px; }
        figure { margin: 8px 0; }
        """
}
