import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain

/// `trace plot add`: a cooperative registers a member farm's plot.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot", abstract: "Register member plots (cooperative).", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a plot: GeoJSON Point or Polygon in [longitude, latitude], kept to 6 decimal places.")
        @OptionGroup var options: EventOptions
        @Option(help: "The plot's id.") var id: String
        @Option(help: "The member farm.") var farm: String
        @Option(help: "GeoJSON geometry, or @FILE to read it from a file.") var geometry: String
        @Option(name: .customLong("area-ha"), help: "Area in hectares, like 2.5.") var areaHa: String
        @Option(help: "The crop, like \"lúa ST25\" or \"thanh long ruột đỏ\".") var crop: String
        @Option(
            name: .customLong("cultivated-since"), help: "Date since which the plot has been cultivated (EUDR cut-off evidence).")
        var cultivatedSince: String?
        @Option(help: "A document proving land use since then; its SHA-256 is recorded, not the file.") var evidence: String?

        func run() throws {
            let text: String
            if geometry.hasPrefix("@") {
                guard let data = FileManager.default.contents(atPath: String(geometry.dropFirst())) else {
                    throw CLIFailure.input("error: --geometry: cannot read \(geometry.dropFirst())")
                }
                text = String(decoding: data, as: UTF8.self)
            } else {
                text = geometry
            }
            let shape = try PlotGeometry(geojson: text)
            guard let area = Decimal(string: areaHa), area > 0 else {
                throw CLIFailure.input("error: --area-ha: \"\(areaHa)\" is not a positive number of hectares")
            }
            if shape.kind == .point && area > 4 {
                Output.note(
                    "warning: plot \(id) is \(areaHa) ha but has only a point; EUDR asks for a polygon for plots over 4 ha")
            }
            var plot: [String: JSONValue] = [
                "id": .string(id), "farm": .string(farm), "crop": .string(crop), "areaHa": .string(areaHa),
                "geometry": shape.storedJSON,
            ]
            if let cultivatedSince { plot["cultivatedSince"] = .string(cultivatedSince) }
            if let evidence { plot["evidenceSha256"] = .string(try Document.sha256(evidence, field: "--evidence")) }
            try options.append(
                "plot.register", ["plot": .object(plot)], summary: "registered plot \(id) of \(farm) (\(areaHa) ha, \(crop))")
        }
    }
}

/// A document whose hash, not content, goes into the ledger.
enum Document {
    static func sha256(_ path: String, field: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIFailure.input("error: \(field): cannot read \(path)")
        }
        return SHA256.hash([UInt8](data)).hex
    }
}
