import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger

/// The records a look-up lists: from the local ledger, or from `trace serve` (`GET path`), which
/// shapes them with the same library functions.
enum Lookup {
    static func list(_ options: LedgerOptions, remotePath: String, field: String, _ local: (StatsRecords) -> [JSONValue])
        throws -> [JSONValue]
    {
        if let remote = options.remote {
            return try remote.json(remotePath)[field]?.arrayValue ?? []
        }
        let chain = try SupplyChain(ledger: options.open(readOnly: true))
        return local(try chain.allRecords())
    }

    /// `?name=value&...` for the filters given.
    static func query(_ pairs: [(String, String?)]) -> String {
        let given = pairs.compactMap { name, value in value.map { "\(name)=\(RemoteLedger.segment($0))" } }
        return given.isEmpty ? "" : "?" + given.joined(separator: "&")
    }

    static func text(_ value: JSONValue?) -> String { value?.stringValue ?? "" }
}

/// `trace party list`.
struct PartyListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: L10n.helpText("Every registered party: id, roles, name (a person by id only)."))
    @OptionGroup var options: LedgerOptions

    func run() throws {
        let parties = try Lookup.list(options, remotePath: "/v1/parties", field: "parties") { $0.partyList() }
        if options.json { return try Output.json(["parties": .array(parties)]) }
        for p in parties {
            let roles = (p["roles"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")
            let name = p["person"]?.boolValue == true ? L10n.text("(person)", "(cá nhân)") : Lookup.text(p["name"])
            let member = p["memberOf"]?.stringValue.map { L10n.text(" member of \($0)", " thành viên của \($0)") } ?? ""
            let current = (p["keys"]?.arrayValue ?? []).contains { $0["untilEntry"] == .null }
            print(
                "\(Lookup.text(p["id"]))  \(roles)  \(name)\(member)"
                    + (current ? "" : L10n.text("  (no current key)", "  (không còn khóa hiệu lực)")))
        }
        Output.note(L10n.text("\(parties.count) parties", "\(parties.count) bên"))
    }
}

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

/// `trace lot list [--holder ID] [--farm ID]`.
struct LotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lot", abstract: L10n.helpText("Look up lots."), subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
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

/// `trace keys show FILE`.
struct KeysShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: L10n.helpText("Print a private key file's verifier key (to give to the ledger operator)."))
    @Argument(help: L10n.help("The private key file (PKCS#8 PEM).")) var file: String
    @Option(help: L10n.help("The key's name (default: the file's name without .key).")) var name: String?
    @Flag(help: L10n.help("Print one JSON document instead of text.")) var json = false

    func run() throws {
        let key: PrivateKey
        do { key = try PrivateKey(contentsOfFile: file) } catch let error as CryptoError {
            throw CLIFailure.input(L10n.refusal(code: error.code.rawValue, field: "FILE", english: error.message))
        }
        let keyName = name ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        do { try VerifierKey.checkName(keyName) } catch let error as CryptoError {
            throw CLIFailure.input("error: --name: \(error.message)")
        }
        let vkey = try VerifierKey(name: keyName, publicKey: key.publicKey)
        if json {
            try Output.json([
                "verifierKey": .string(vkey.description), "publicKey": .string(Hex.encode(key.publicKey.bytes)),
                "keyFile": .string(file),
            ])
        } else {
            print(vkey.description)
        }
    }
}
