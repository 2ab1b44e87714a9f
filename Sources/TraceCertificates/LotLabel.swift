import Foundation
import QRCode

/// A printed label's QR code: the lot's GS1 Digital Link, as SVG.
public enum LotLabel {
    /// The QR code of `lot`'s Digital Link on `base`, as an SVG of about `pixels` pixels a side.
    /// With `operatorKey`, the URL carries its fingerprint (`k=`) and the witnesses' (`w=`): the
    /// anchors the buyer's page checks its keys against (docs/FORMAT.md section 17a).
    public static func svg(
        base: String, lot: String, gtin: String?, operatorKey: String? = nil, witnessKeys: [String] = [], pixels: Int = 160
    ) throws -> String {
        let url =
            operatorKey.map {
                DigitalLink.url(base: base, lot: lot, gtin: gtin, operatorKey: $0, witnessKeys: witnessKeys)
            } ?? DigitalLink.url(base: base, lot: lot, gtin: gtin)
        do { return try QRCode(encoding: url).svg(pixels: pixels, label: "QR: \(url)") } catch {
            throw CertificateError(.badInput, "lot \(lot): cannot encode \(url) as a QR code: \(error)")
        }
    }
}
