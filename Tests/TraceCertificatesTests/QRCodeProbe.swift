import QRCode

/// A QR code's SVG for a label, for the escaping test.
enum QRCodeProbe {
    static func svg(label: String) throws -> String {
        try QRCode(encoding: "https://x.example/lot/A").svg(pixels: 10, label: label)
    }
}
