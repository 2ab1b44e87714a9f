import Foundation
import QRCode
import TraceCrypto
import TraceDomain
import TraceLedger

/// The printable certificate: one A4 page in Vietnamese and English, drawn only from what the
/// certificate's verified entries say, with the plots as an SVG map and a QR code for the buyer.
public struct CertificateHTML {
    let content: CertificateContent
    let report: CertificateReport
    let operatorKey: String
    let url: String

    /// `url` is what the QR code holds (see `DigitalLink`).
    public init(content: CertificateContent, report: CertificateReport, operatorKey: String, url: String) {
        self.content = content
        self.report = report
        self.operatorKey = operatorKey
        self.url = url
    }

    /// A label in both languages, Vietnamese first.
    private func label(_ vi: String, _ en: String) -> String {
        "\(HTMLText.escape(vi)) <span class=\"en\">\(HTMLText.escape(en))</span>"
    }

    private func row(_ vi: String, _ en: String, _ value: String) -> String {
        "<tr><th>\(label(vi, en))</th><td>\(value)</td></tr>"
    }

    private func esc(_ s: String) -> String { HTMLText.escape(s) }

    /// A plot's growing-area code and its corrections, each shown as a correction.
    private func plotNote(_ plot: PlotRecord) -> String {
        var note = plot.growingAreaCode.map { " · " + label("MSVT", "growing area") + " " + esc($0) } ?? ""
        for a in plot.amendments {
            let changes = a.changes.sorted { $0.key < $1.key }.map {
                "\($0.key) \($0.value.first ?? "") → \($0.value.last ?? "")"
            }
            note += " · " + label("đính chính", "corrected") + " #\(a.seq): " + esc(changes.joined(separator: "; "))
        }
        return note
    }

    /// The page, self-contained: inline CSS and SVG, no scripts, fonts or images from anywhere.
    public func render() throws -> String {
        let lot = content.lot
        let qr = try QRCode(encoding: url).svg(pixels: 100, label: "QR: \(url)")
        let exporter = content.exporter
        let export = lot.export
        var origins = ""
        var cooperatives: [String] = []
        var seen: Set<String> = []
        for o in content.origins {
            let coop = o.cooperative.map { $0.name ?? $0.id } ?? o.plot.cooperative
            if let c = o.cooperative, let address = c.address, seen.insert(c.id).inserted {
                cooperatives.append("\(esc(coop)): \(esc(address.line))\(address.asWritten.map { " (\(esc($0)))" } ?? "")")
            }
            origins += """
                <tr><td>\(esc(o.lot.code.text))</td><td>\(esc(coop))</td><td>\(esc(content.name(of: o.plot.farm)))</td>\
                <td>\(esc(o.plot.id)) <small>· \(esc(o.plot.crop)) · \(esc(NSDecimalNumber(decimal: o.plot.areaHa).stringValue)) ha\(plotNote(o.plot))</small></td>\
                <td>\(esc(o.lot.harvested ?? ""))</td><td class="num">\(esc(o.lot.produced.decimalString)) kg</td></tr>
                """
        }
        var certifications = ""
        for (certLot, c) in content.certifications {
            // The document's full hash is in the certificate file; the page shows enough to match it by eye.
            certifications += """
                <li><b>\(esc(c.scheme))</b>\(c.reference.map { " " + esc($0) } ?? "") · \(esc(content.name(of: c.certifier))) · \
                \(esc(certLot.code.text))\(c.validUntil.map { " · " + label("đến", "until") + " " + esc($0) } ?? "") · \
                <span class="mono">SHA-256 \(esc(String(c.documentSHA256.prefix(16))))…</span>\
                \(content.expiredAtExport(c) ? " <b class=\"bad\">\(label("hết hạn khi xuất khẩu", "expired at export"))</b>" : "")</li>
                """
        }
        if certifications.isEmpty { certifications = "<li>\(label("Không có", "None"))</li>" }
        let map = PlotMap(
            plots: content.plots.map { PlotMap.Plot(record: $0, label: "\($0.id) · \(content.name(of: $0.farm))") },
            width: 440, height: 230
        ).svg(title: "Bản đồ thửa đất / Plot map")
        var checks = ""
        for check in report.checks {
            checks +=
                "<li class=\"\(check.passed ? "ok" : "bad")\">\(check.passed ? "✓" : "✗") <b>\(check.name.rawValue)</b>: \(esc(check.detail))</li>"
        }
        let decided = report.verdict
        let verdict: String
        switch decided.state {
        case .verified:
            verdict =
                "<p class=\"verdict ok\">\(label(decided.headline(vietnamese: true), decided.headline(vietnamese: false)))</p>"
        case .recalled:
            verdict =
                "<p class=\"verdict bad\">\(label(decided.headline(vietnamese: true), decided.headline(vietnamese: false)))</p>"
                + decided.recallLines(vietnamese: false).map { "<p class=\"bad\">\(esc($0))</p>" }.joined()
        case .notVerified:
            verdict =
                "<p class=\"verdict bad\">\(label(decided.headline(vietnamese: true), decided.headline(vietnamese: false)))</p>"
        }
        let issued =
            content.issued.map {
                "<div>\(label("Ngày cấp", "Issued")) <b>\(esc(DisplayFormat.date($0, vietnamese: true)))</b> (\(esc($0)))</div>"
            } ?? ""
        let packhouses = Set(content.timeline.map(\.actor)).sorted().compactMap { id in
            content.state.parties[id]?.packhouseCode.map { "\(esc(content.name(of: id))): \(esc($0))" }
        }.joined(separator: "<br>")
        let link = "<a href=\"\(esc(url))\">\(esc(url))</a>"
        return """
            <!DOCTYPE html>
            <html lang="vi"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Giấy chứng nhận xuất xứ / Certificate of origin — \(esc(lot.code.text))</title>
            <style>
            @page { size: A4; margin: 10mm; }
            * { box-sizing: border-box; }
            body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; font-size: 8.5pt; color: #1a1a1a; margin: 0; }
            .page { width: 100%; max-width: 186mm; margin: 0 auto; padding: 0 2mm; }
            a { color: #1b5e20; }
            .scroll { overflow-x: auto; }
            @media screen and (max-width: 600px) {
              body { font-size: 11pt; }
              header, .cols { flex-direction: column; }
              .qr { width: auto; align-self: center; }
              .facts th { width: 40%; }
              .mono, .mono * { font-size: 8pt; }
            }
            header { display: flex; justify-content: space-between; align-items: flex-start; border-bottom: 2px solid #2e7d32; padding-bottom: 2mm; }
            h1 { font-size: 15pt; margin: 0 0 1mm; color: #1b5e20; }
            h1 .en, h2 .en { font-weight: normal; }
            h2 { font-size: 10pt; margin: 3mm 0 1mm; color: #1b5e20; border-bottom: 1px solid #c8e6c9; }
            .en { color: #555; font-style: italic; font-size: 0.9em; }
            table { border-collapse: collapse; width: 100%; }
            th, td { text-align: left; vertical-align: top; padding: 0.6mm 1.2mm; border-bottom: 1px solid #e0e0e0; }
            .facts th { width: 44%; font-weight: 600; }
            .origins th { background: #f1f8e9; font-weight: 600; }
            .num { text-align: right; white-space: nowrap; }
            .mono, .mono * { font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; word-break: break-all; }
            .cols { display: flex; gap: 5mm; }
            .cols > div { flex: 1; }
            ul { margin: 0; padding-left: 4mm; }
            li { margin-bottom: 0.6mm; }
            .certs li { font-size: 7.5pt; }
            .checks li { list-style: none; margin-left: -4mm; font-size: 7pt; }
            tr, li { break-inside: avoid; }
            .ok { color: #1b5e20; } .bad { color: #b71c1c; }
            .verdict { font-size: 14pt; font-weight: bold; margin: 1mm 0; }
            .qr { text-align: center; width: 34mm; }
            .qr .mono { font-size: 6pt; }
            small { color: #555; }
            svg { max-width: 100%; height: auto; }
            </style></head>
            <body><div class="page">
            <header><div>
            <h1>Giấy chứng nhận xuất xứ <span class="en">Certificate of origin</span></h1>
            <div>\(label("Lô", "Lot")) <b>\(esc(lot.code.text))</b> · \(esc(lot.product)) · <b>\(esc(lot.produced.decimalString)) kg</b></div>
            \(issued)
            \(verdict)
            </div><div class="qr">\(qr)<div class="mono">\(link)</div></div></header>
            <div class="cols"><div>
            <h2>\(label("Lô hàng", "Consignment"))</h2>
            <table class="facts">
            \(row("Sản phẩm", "Product", esc(lot.product)))
            \(row("Khối lượng", "Quantity", esc(lot.produced.decimalString) + " kg"))
            \(row("Nhà xuất khẩu", "Exporter", esc(exporter.name ?? exporter.id) + (exporter.address.map { "<br><small>\(esc($0.line))</small>" } ?? "")))
            \(row("Người mua", "Buyer", esc(export.map { content.name(of: $0.buyer) } ?? "—")))
            \(row("Nước đến", "Destination", esc(export?.country ?? "—")))
            \(row("Container", "Container", esc(export?.container ?? "—")))
            \(export?.gtin.map { row("GTIN", "GTIN", esc($0)) } ?? "")
            \(packhouses.isEmpty ? "" : row("Mã số cơ sở đóng gói", "Packhouse codes", packhouses))
            </table>
            </div><div>
            <h2>\(label("Bản đồ thửa đất", "Plot map"))</h2>
            \(map)
            </div></div>
            <h2>\(label("Nguồn gốc", "Origin"))</h2>
            <div class="scroll"><table class="origins">
            <tr><th>\(label("Lô thu hoạch", "Harvest lot"))</th><th>\(label("Hợp tác xã", "Cooperative"))</th><th>\(label("Nông hộ", "Farm"))</th>\
            <th>\(label("Thửa", "Plot"))</th><th>\(label("Ngày thu hoạch", "Harvested"))</th><th class="num">\(label("Khối lượng", "Quantity"))</th></tr>
            \(origins)
            </table></div>
            <p><small>\(cooperatives.joined(separator: "<br>"))</small></p>
            <div class="cols"><div>
            <h2>\(label("Chứng nhận", "Certifications"))</h2>
            <ul class="certs">\(certifications)</ul>
            </div><div>
            <h2>\(label("Kiểm tra", "Checks"))</h2>
            <ul class="checks">\(checks)</ul>
            </div></div>
            <h2>\(label("Sổ cái", "Ledger"))</h2>
            <table class="facts">
            \(row("Nhật ký", "Log", esc(content.checkpoint.origin)))
            \(row("Điểm kiểm tra", "Checkpoint", "\(content.checkpoint.size) \(label("mục", "entries"))<div class=\"mono\">\(esc(content.checkpoint.root.hex))</div>"))
            \(row("Khóa nhà vận hành", "Operator key", "<div class=\"mono\">\(esc(operatorKey))</div>"))
            \(row("Dấu khóa trên nhãn", "Key fingerprint on the label", "<div class=\"mono\">\(esc(KeyFingerprint.of(operatorKey)))</div>"))
            </table>
            <p><small>\(label("Kiểm tra tệp chứng nhận không cần mạng:", "Check the certificate file offline:")) \
            <span class="mono">trace certificate verify CERT.json --operator KEY</span></small></p>
            </div></body></html>

            """
    }
}
