import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger

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
