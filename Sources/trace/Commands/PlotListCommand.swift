import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger

/// `trace plot list [--farm ID]`.
struct PlotListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: L10n.helpText("Registered plots, or one member farm's plots."))
    @OptionGroup var options: LedgerOptions
    @Option(help: L10n.help("Only this member farm's plots.")) var farm: String?

    func run() throws {
        let plots = try Lookup.list(options, remotePath: "/v1/plots" + Lookup.query([("farm", farm)]), field: "plots") {
            $0.plotList(farm: farm)
        }
        if options.json { return try Output.json(["plots": .array(plots)]) }
        for p in plots {
            print(
                "\(Lookup.text(p["id"]))  \(L10n.text("farm", "nông hộ")) \(Lookup.text(p["farm"]))  "
                    + "\(L10n.decimal(Lookup.text(p["areaHa"]))) ha  \(Lookup.text(p["crop"]))  "
                    + "(\(Lookup.text(p["geometry"]?["type"])))")
        }
        Output.note(L10n.text("\(plots.count) plots", "\(plots.count) thửa đất"))
    }
}
