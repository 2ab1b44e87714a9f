import Foundation
import TraceDomain
import TraceLedger

/// The URL a pack's QR code holds: the GS1 Digital Link `/01/{gtin}/10/{lot}` when the lot has a
/// GTIN, else the server's own lot page `/lot/{code}`.
public enum DigitalLink {
    /// The URL on `base` (like "https://trace.longan.gov.vn") for `lot`, with `gtin` when it has one.
    public static func url(base: String, lot: String, gtin: String?) -> String {
        let root = base.hasSuffix("/") ? String(base.dropLast()) : base
        // Lot codes are letters, digits and '-', which need no percent-encoding; encode anyway
        // so a URL is never built from unchecked text.
        let code = lot.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-"])) ?? lot
        if let gtin { return GS1.digitalLink(base: root, gtin: gtin, lot: code) }
        return "\(root)/lot/\(code)"
    }

    /// The same URL carrying the fingerprints (`KeyFingerprint`) of the operator key (`k=`) and of
    /// the witnesses' keys (`w=`), which the buyer's page checks its embedded keys against.
    public static func url(base: String, lot: String, gtin: String?, operatorKey: String, witnessKeys: [String] = []) -> String {
        url(base: base, lot: lot, gtin: gtin) + "?k=" + KeyFingerprint.of(operatorKey)
            + witnessKeys.map { "&w=" + KeyFingerprint.of($0) }.joined()
    }
}
