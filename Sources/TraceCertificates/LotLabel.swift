import Foundation
import QRCode

/// A printed label's QR code: the lot's GS1 Digital Link, as SVG.
public enum LotLabel {
    /// The QR code of `lot`'s Digital Link on `base`, as an SVG of about `pixels` pixels a side.
    public static func svg(base: String, lot: String, gtin: String?, pixels: Int = 160) throws -> String {
        let url = DigitalLink.url(base: base, lot: lot, gtin: gtin)
        do { return try QRCode(encoding: url).svg(pixels: pixels, label: "QR: \(url)") } catch {
            throw CertificateError(.badInput, "lot \(lot): cannot encode \(url) as a QR code: \(error)")
        }
    }
}
