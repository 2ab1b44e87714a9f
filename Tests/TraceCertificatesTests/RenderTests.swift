import Foundation
import QRCode
import TestSupport
import Testing
import TraceCertificates
import TraceCrypto
import TraceDomain

/// The printable certificate drawn by a real browser: one A4 page, and a QR code that a real
/// decoder reads back as the URL.
@Suite struct RenderTests {
    static let chromium = Command.which("chromium") ?? Command.which("chromium-browser")
    static let zbarimg = Command.which("zbarimg")

    @Test func aQRCodeHasItsFinderPatterns() throws {
        let qr = try QRCode(encoding: "https://trace.example.vn/lot/LA-ST25-0701")
        #expect(qr.size >= 21 && (qr.size - 21) % 4 == 0)
        // The three finder patterns: dark 7x7 corners with a light ring inside.
        for (x, y) in [(0, 0), (qr.size - 7, 0), (0, qr.size - 7)] {
            #expect(qr.isDark(x: x, y: y) && qr.isDark(x: x + 6, y: y + 6) && !qr.isDark(x: x + 1, y: y + 1))
            #expect(qr.isDark(x: x + 3, y: y + 3))
        }
        #expect(throws: QRCodeError.self) { try QRCode(encoding: "") }
    }

    @Test(
        .enabled(if: chromium != nil && zbarimg != nil, "SKIPPED: needs chromium and zbarimg (tools/setup installs them)"))
    func thePrintedCertificateIsOneA4PageWithAQRCodeThatDecodes() throws {
        let c = try ExportChain()
        let certificate = try c.issue()
        let report = c.verify(certificate)
        let content = try #require(report.content)
        let url = DigitalLink.url(base: "https://trace.tayninh.example/", lot: "RICE-1", gtin: content.lot.export?.gtin)
        #expect(url == "https://trace.tayninh.example/01/\(ExportChain.gtin)/10/RICE-1")
        let html = try CertificateHTML(content: content, report: report, operatorKey: c.operatorKey.description, url: url)
            .render()
        // Self-contained: nothing is fetched from anywhere.
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("@import") && !html.contains("url("))
        for words in [
            "Giấy chứng nhận xuất xứ", "Certificate of origin", "Trần Thị Tám", "VietGAP", "ĐÃ XÁC MINH", "VERIFIED", "P-002",
        ] {
            #expect(html.contains(words), "missing \(words)")
        }
        let dir = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try html.write(toFile: dir + "/cert.html", atomically: true, encoding: .utf8)
        let common = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(dir)/profile"]
        let pdf = try Command.run(
            Self.chromium!, common + ["--no-pdf-header-footer", "--print-to-pdf=\(dir)/cert.pdf", "file://\(dir)/cert.html"])
        #expect(pdf.status == 0, "\(pdf.stderr.suffix(500))")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/cert.pdf"))
        // Each page object says "/Type /Page" (the page tree says "/Pages").
        let text = String(decoding: bytes, as: Unicode.ASCII.self)
        let pages = try NSRegularExpression(pattern: "/Type\\s*/Page(?!s)").numberOfMatches(
            in: text, range: NSRange(text.startIndex..., in: text))
        #expect(bytes.starts(with: Array("%PDF".utf8)))
        #expect(pages == 1, "the certificate printed on \(pages) pages")
        // A4 at 96 px per inch.
        let png = try Command.run(
            Self.chromium!, common + ["--window-size=794,1123", "--screenshot=\(dir)/cert.png", "file://\(dir)/cert.html"])
        #expect(png.status == 0, "\(png.stderr.suffix(500))")
        let decoded = try Command.run(Self.zbarimg!, ["--quiet", "--raw", dir + "/cert.png"])
        #expect(decoded.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == url, "\(decoded.stderr)")
    }
}
