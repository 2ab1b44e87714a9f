import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger

/// `trace lot list [--holder ID] [--farm ID]`.
struct LotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lot", abstract: L10n.helpText("Look up lots."), subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: L10n.helpText(
                "Lots: those a party holds now (--holder), or those grown on a farm or made from its harvests (--farm)."))
        @OptionGroup var options: LedgerOptions
        @Option(help: L10n.help("Only lots this party holds now.")) var holder: String?
        @Option(help: L10n.help("Only lots from this member farm's plots, and lots made from them.")) var farm: String?

        func run() throws {
            let lots = try Lookup.list(
                options, remotePath: "/v1/lots" + Lookup.query([("holder", holder), ("farm", farm)]), field: "lots"
            ) { $0.lotList(holder: holder, farm: farm) }
            if options.json { return try Output.json(["lots": .array(lots)]) }
            for l in lots {
                let plot = l["plot"]?.stringValue.map { L10n.text("  plot \($0)", "  thửa \($0)") } ?? ""
                let recalled = l["recalled"]?.boolValue == true ? L10n.text("  RECALLED", "  ĐANG THU HỒI") : ""
                print(
                    "\(Lookup.text(l["lot"]))  \(Lookup.text(l["product"]))  "
                        + L10n.text(
                            "\(L10n.decimal(Lookup.text(l["heldKg"]))) of \(L10n.decimal(Lookup.text(l["producedKg"]))) kg held by ",
                            "còn \(L10n.decimal(Lookup.text(l["heldKg"]))) / \(L10n.decimal(Lookup.text(l["producedKg"]))) kg, do "
                        )
                        + "\(Lookup.text(l["custodian"]))  \(L10n.status(Lookup.text(l["status"])))\(plot)\(recalled)")
            }
            Output.note(L10n.text("\(lots.count) lots", "\(lots.count) lô"))
        }
    }
}
