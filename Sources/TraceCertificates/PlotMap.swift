import Foundation
public import TraceDomain

/// The plots of a lot drawn as a small SVG map: polygons as drawn on the ground, points as
/// circles of the plot's declared area, with a scale bar and north arrow. No map tiles, so it
/// works offline and prints the same everywhere.
public struct PlotMap {
    /// One plot to draw, and the label beside it.
    public struct Plot: Sendable {
        public let record: PlotRecord
        public let label: String

        public init(record: PlotRecord, label: String) {
            self.record = record
            self.label = label
        }
    }

    public let plots: [Plot]
    public let width: Int
    public let height: Int

    public init(plots: [Plot], width: Int = 480, height: Int = 300) {
        self.plots = plots
        self.width = width
        self.height = height
    }

    /// Metres per degree of latitude (WGS 84 mean); longitude degrees shrink by cos(latitude).
    static let metresPerDegree = 111_320.0

    /// The map as an SVG element with `title` as its accessible name.
    public func svg(title: String) -> String {
        let margin = 28.0
        guard !plots.isEmpty else {
            return
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\"></svg>"
        }
        // A local flat projection in metres around the plots' centre: accurate to well under a
        // percent over the few kilometres a lot's plots span.
        let all = plots.flatMap { $0.record.geometry.rings.flatMap { $0 } }
        let lat0 = all.map(\.latitude).reduce(0, +) / Double(all.count)
        let lon0 = all.map(\.longitude).reduce(0, +) / Double(all.count)
        let kx = Self.metresPerDegree * cos(lat0 * .pi / 180)
        func metres(_ p: PlotGeometry.Position) -> (x: Double, y: Double) {
            ((p.longitude - lon0) * kx, (p.latitude - lat0) * Self.metresPerDegree)
        }
        func radius(_ plot: PlotRecord) -> Double {
            (NSDecimalNumber(decimal: plot.areaHa).doubleValue * 10_000 / .pi).squareRoot()
        }
        var minX = Double.infinity
        var maxX = -Double.infinity
        var minY = Double.infinity
        var maxY = -Double.infinity
        for plot in plots {
            let r = plot.record.geometry.kind == .point ? radius(plot.record) : 0
            for p in plot.record.geometry.rings.flatMap({ $0 }) {
                let m = metres(p)
                minX = min(minX, m.x - r)
                maxX = max(maxX, m.x + r)
                minY = min(minY, m.y - r)
                maxY = max(maxY, m.y + r)
            }
        }
        let spanX = max(maxX - minX, 50)
        let spanY = max(maxY - minY, 50)
        let scale = min((Double(width) - 2 * margin) / spanX, (Double(height) - 2 * margin) / spanY)
        let cx = (minX + maxX) / 2
        let cy = (minY + maxY) / 2
        func screen(_ m: (x: Double, y: Double)) -> String {
            let x = Double(width) / 2 + (m.x - cx) * scale
            let y = Double(height) / 2 - (m.y - cy) * scale
            return String(format: "%.1f %.1f", x, y)
        }
        var body = ""
        let palette = ["#2e7d32", "#c62828", "#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#9e9d24", "#4e342e"]
        for (i, plot) in plots.enumerated() {
            let colour = palette[i % palette.count]
            let label = HTMLText.escape(plot.label)
            let geometry = plot.record.geometry
            let anchor: String
            switch geometry.kind {
            case .polygon:
                let d = geometry.rings.map { ring in "M" + ring.map { screen(metres($0)) }.joined(separator: " L") + " Z" }
                    .joined()
                body +=
                    "<path d=\"\(d)\" fill=\"\(colour)\" fill-opacity=\"0.35\" stroke=\"\(colour)\" stroke-width=\"1.5\" fill-rule=\"evenodd\"><title>\(label)</title></path>"
                anchor = screen(metres(geometry.rings[0][0]))
            case .point:
                let c = screen(metres(geometry.rings[0][0])).split(separator: " ")
                let r = max(radius(plot.record) * scale, 3)
                body +=
                    "<circle cx=\"\(c[0])\" cy=\"\(c[1])\" r=\"\(String(format: "%.1f", r))\" fill=\"\(colour)\" fill-opacity=\"0.35\" stroke=\"\(colour)\" stroke-width=\"1.5\" stroke-dasharray=\"4 2\"><title>\(label)</title></circle>"
                anchor = c.joined(separator: " ")
            }
            let xy = anchor.split(separator: " ")
            body +=
                "<text x=\"\(xy[0])\" y=\"\(xy[1])\" dx=\"4\" dy=\"-4\" font-size=\"11\" fill=\"#222\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">\(label)</text>"
        }
        // A scale bar of a round number of metres, about a fifth of the map.
        let target = Double(width) / 5 / scale
        let magnitude = pow(10, floor(log10(target)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.last { $0 <= target } ?? magnitude
        let bar = step * scale
        let scaleLabel = step >= 1000 ? "\(Int(step / 1000)) km" : "\(Int(step)) m"
        let y = Double(height) - 10
        body +=
            "<path d=\"M10 \(y) h\(String(format: "%.1f", bar))\" stroke=\"#222\" stroke-width=\"2\"/><text x=\"10\" y=\"\(y - 4)\" font-size=\"10\" fill=\"#222\">\(scaleLabel)</text>"
        body +=
            "<path d=\"M\(width - 16) 26 l-6 10 h12 z\" fill=\"#222\"/><text x=\"\(width - 16)\" y=\"20\" font-size=\"10\" text-anchor=\"middle\" fill=\"#222\">N</text>"
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(HTMLText.escape(title))" \
            style="background:#f4f1e8;font-family:sans-serif">\(body)</svg>
            """
    }
}
