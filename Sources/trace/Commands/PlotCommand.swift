import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain

/// `trace plot add`: a cooperative registers a member farm's plot.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot", abstract: "Register member plots (cooperative) and correct them.",
        subcommands: [Add.self, Amend.self, PlotListCommand.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
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
        @Option(name: .customLong("growing-area-code"), help: "The official growing-area code (mã số vùng trồng).")
        var growingAreaCode: String?

        func run() throws {
            let shape = try PlotGeometry(geojson: try readGeometry(geometry))
            // The same parser as the rule, so the warning and the rule never read two numbers.
            guard let area = Mass.decimal(areaHa), area > 0 else {
                throw CLIFailure.input("error: --area-ha: \"\(areaHa)\" is not a positive number of hectares, like 2.5")
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
            if let growingAreaCode { plot["growingAreaCode"] = .string(growingAreaCode) }
            try options.append(
                "plot.register", ["plot": .object(plot)], summary: "registered plot \(id) of \(farm) (\(areaHa) ha, \(crop))")
        }
    }

    struct Amend: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "amend",
            abstract: "Correct a plot's registration by a new entry (its cooperative or the operator); nothing is deleted.")
        @OptionGroup var options: EventOptions
        @Option(help: "The plot's id.") var id: String
        @Option(name: .customLong("area-ha"), help: "The corrected area in hectares.") var areaHa: String?
        @Option(help: "The corrected GeoJSON geometry, or @FILE.") var geometry: String?
        @Option(help: "The corrected crop.") var crop: String?
        @Option(name: .customLong("growing-area-code"), help: "The official growing-area code (mã số vùng trồng).")
        var growingAreaCode: String?
        @Option(help: "Why the registration is corrected.") var reason: String?

        func run() throws {
            var fields: [String: JSONValue] = ["plot": .string(id)]
            if let areaHa {
                guard Mass.decimal(areaHa).map({ $0 > 0 }) == true else {
                    throw CLIFailure.input("error: --area-ha: \"\(areaHa)\" is not a positive number of hectares, like 2.5")
                }
                fields["areaHa"] = .string(areaHa)
            }
            if let geometry { fields["geometry"] = try PlotGeometry(geojson: try readGeometry(geometry)).storedJSON }
            if let crop { fields["crop"] = .string(crop) }
            if let growingAreaCode { fields["growingAreaCode"] = .string(growingAreaCode) }
            if let reason { fields["reason"] = .string(reason) }
            guard fields.count > (reason == nil ? 1 : 2) else {
                throw CLIFailure.input(
                    "error: plot amend: give at least one of --area-ha, --geometry, --crop, --growing-area-code")
            }
            try options.append(
                "plot.amend", fields, operatorFallback: true,
                summary:
                    "amended plot \(id) (\(fields.keys.filter { $0 != "plot" && $0 != "reason" }.sorted().joined(separator: ", ")))"
            )
        }
    }
}

/// GeoJSON text given inline or as @FILE.
func readGeometry(_ geometry: String) throws -> String {
    guard geometry.hasPrefix("@") else { return geometry }
    guard let data = FileManager.default.contents(atPath: String(geometry.dropFirst())) else {
        throw CLIFailure.input("error: --geometry: cannot read \(geometry.dropFirst())")
    }
    return String(decoding: data, as: UTF8.self)
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
