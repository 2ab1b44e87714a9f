import CQRencode

/// A QR code symbol, made by libqrencode (Debian's libqrencode-dev). Encoding QR codes means
/// Reed-Solomon codes, masking and version selection; a well-kept C library does that better
/// than a hand-written one, and this module keeps it behind one small type.
public struct QRCode: Sendable, Equatable {
    /// Modules per side (21 for version 1, 4 more per version).
    public let size: Int
    /// Row-major: true where a module is dark.
    public let modules: [Bool]

    /// Error correction: medium (15%) survives a scuffed or creased print.
    public init(encoding text: String) throws(QRCodeError) {
        guard !text.isEmpty, text.utf8.count <= 2_000 else { throw QRCodeError(text: text) }
        // 8-bit mode carries the URL's bytes as they are (case matters in a lot code's path).
        guard let symbol = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else { throw QRCodeError(text: text) }
        defer { QRcode_free(symbol) }
        let width = Int(symbol.pointee.width)
        let data = UnsafeBufferPointer(start: symbol.pointee.data, count: width * width)
        size = width
        // libqrencode's lowest bit of each byte is the module's colour; the others are its own bookkeeping.
        modules = data.map { $0 & 1 == 1 }
    }

    /// True when the module at row `y`, column `x` is dark.
    public func isDark(x: Int, y: Int) -> Bool { modules[y * size + x] }

    /// The symbol as SVG, one path of unit squares with the four-module quiet zone the standard asks for.
    public func svg(pixels: Int, label: String) -> String {
        let quiet = 4
        let side = size + 2 * quiet
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else {
                    x += 1
                    continue
                }
                // One rectangle per horizontal run keeps the path short.
                var run = 1
                while x + run < size, isDark(x: x + run, y: y) { run += 1 }
                path += "M\(x + quiet) \(y + quiet)h\(run)v1h-\(run)z"
                x += run
            }
        }
        // The label is caller text inside an attribute: escape what could end it.
        var escaped = ""
        for c in label.unicodeScalars {
            switch c {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(c)
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="\(escaped)" width="\(pixels)" height="\(pixels)" \
            viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges"><rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path fill="#000" d="\(path)"/></svg>
            """
    }
}

/// Text that cannot be put in a QR code (empty, or too long for the largest symbol at this level).
public struct QRCodeError: Error, Sendable, CustomStringConvertible {
    public let text: String
    public var description: String {
        "a QR code cannot hold \(text.isEmpty ? "empty text" : "\(text.utf8.count) bytes (\(text.prefix(40))...)")"
    }
}
