import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCertificates
import TraceDomain

/// `trace eudr LOT --out PLOTS.geojson`: the origin plots for an EU due diligence statement.
struct EUDRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eudr",
        abstract: "Write a lot's origin plots as GeoJSON for an EU Deforestation Regulation due diligence statement.",
        discussion:
            "Refuses, naming the plots, when an EUDR commodity's plot over 4 ha is only a point. Lists the plots that lack cut-off evidence (cultivated on or before 31 December 2020, with an evidence document). Files over 25 MB are split as PLOTS-1.geojson, PLOTS-2.geojson, ..."
    )

    @OptionGroup var options: LedgerOptions
    @Argument(help: "The lot code.") var lot: String
    @Option(help: "Where to write the GeoJSON.") var out: String
    @Option(help: "The producer country, ISO 3166-1 alpha-2.") var country = "VN"
    @Option(
        help: "The EUDR commodity (cattle, cocoa, coffee, oil palm, rubber, soya, wood, or none), when its name does not say.")
    var commodity: String?

    func run() throws {
        let chain = try SupplyChain(ledger: options.open())
        let result = try EUDRExport(chain: chain, country: country, commodity: commodity).export(lot: lot)
        var written: [String] = []
        if result.files.count == 1 {
            written = [out]
        } else {
            let base = (out as NSString).deletingPathExtension
            let ext = (out as NSString).pathExtension
            written = result.files.indices.map { "\(base)-\($0 + 1).\(ext.isEmpty ? "geojson" : ext)" }
        }
        for (file, path) in zip(result.files, written) {
            try CertificateFiles.write(Array(file.utf8), to: path, field: "--out")
        }
        if options.json {
            try Output.json([
                "lot": .string(lot), "files": .array(written.map { .string($0) }), "plots": .number(Double(result.plotCount)),
                "commodity": result.commodity.map { .string($0) } ?? .null,
                "missingEvidence": .array(result.evidenceGaps.map { ["plot": .string($0.plot), "reason": .string($0.reason)] }),
                "warnings": .array(result.warnings.map { .string($0) }),
            ])
            return
        }
        print(
            "wrote \(written.joined(separator: ", ")): \(Output.count(result.plotCount, "plot", "plots")) of lot \(lot.uppercased())"
                + (result.commodity.map { " (\($0), an EUDR commodity)" } ?? " (not an EUDR commodity; for information)"))
        if written.count > 1 {
            print("  split into \(written.count) files: the EU Information System takes at most 25 MB a file")
        }
        for w in result.warnings { print("  warning: \(w)") }
        if !result.evidenceGaps.isEmpty {
            print("  cut-off evidence (31 December 2020) still to supply before filing:")
            for gap in result.evidenceGaps { print("    plot \(gap.plot): \(gap.reason)") }
        }
    }
}
