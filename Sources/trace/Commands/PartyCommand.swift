import ArgumentParser
import CanonicalJSON
import TraceCrypto
import TraceDomain

/// `trace party add | rotate | revoke`: the operator registers parties and manages their keys.
struct PartyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "party", abstract: "Register parties and rotate or revoke their keys (operator).",
        subcommands: [Add.self, Rotate.self, Revoke.self, Amend.self, PartyListCommand.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Register a party: a cooperative, farm, processor, exporter, certifier or buyer.",
            discussion: """
                A member farmer is a natural person: pass --person, and the name, --phone and --id-number are written \
                into the ledger only as salted commitments; the clear values stay beside it, erasable with `trace forget`.
                """)

        @OptionGroup var options: EventOptions
        @Option(help: "The party's id (letters, digits, '-', '_'); for a --person, made opaque (p-...) when not given.")
        var id: String?
        @Option(name: .customLong("packhouse-code"), help: "A packhouse's official code (mã số cơ sở đóng gói).")
        var packhouseCode: String?
        @Option(help: "The legal name (for a --person, the person's name, kept off the ledger).") var name: String
        @Option(help: "A role; repeat for several.") var role: [String]
        @Option(help: "The party's verifier key (from `trace keys new`).") var vkey: String
        @Option(help: "GS1 Global Location Number (13 digits).") var gln: String?
        @Option(help: "Province (today's: since 1 July 2025 Long An is part of Tây Ninh).") var province: String?
        @Option(help: "Commune or ward.") var commune: String?
        @Option(name: .customLong("address-as-written"), help: "The address as it was written before 2025, kept as is.")
        var addressAsWritten: String?
        @Option(name: .customLong("member-of"), help: "The cooperative a member farm belongs to.") var memberOf: String?
        @Flag(help: "The party is a natural person (a member farmer).") var person = false
        @Option(help: "A person's phone number (committed, not written in the clear).") var phone: String?
        @Option(name: .customLong("id-number"), help: "A person's ID number (committed, not written in the clear).") var idNumber:
            String?

        func run() throws {
            // A person's clear values are kept off the ledger, so the event check never sees them.
            for (option, value) in [("--name", name), ("--phone", phone), ("--id-number", idNumber)] {
                if let value { try InputCheck.noControlCharacters(.string(value), field: option) }
            }
            let roles = try role.map { try Role(parsing: $0) }
            let id: String
            if let given = self.id {
                if person, let word = PersonID.nameIn(given, name: name) {
                    throw CLIFailure.input(
                        "error: --id: \"\(given)\" contains the person's name (\"\(word)\"); a person's id goes into a log that is never rewritten. Leave --id out to get an opaque one"
                    )
                }
                id = given
            } else {
                guard person else { throw CLIFailure.input("error: --id: an organisation needs an id, like htx-tan-lap") }
                id = PersonID.generate()
            }
            var party: [String: JSONValue] = [
                "id": .string(id), "roles": .array(roles.map { .string($0.rawValue) }), "key": .string(vkey),
            ]
            var commitments: [(party: String, field: String, commitment: Commitment)] = []
            if person {
                var fields: [String: JSONValue] = [:]
                for (field, value) in [("name", name), ("phone", phone), ("idNumber", idNumber)] {
                    guard let value, !value.isEmpty else { continue }
                    let c = Commitment(value: value)
                    fields[field] = .string(c.digest.hex)
                    commitments.append((id, field, c))
                }
                party["personal"] = .object(fields)
            } else {
                guard phone == nil, idNumber == nil else {
                    throw CLIFailure.input("error: --phone and --id-number are for a --person only")
                }
                party["name"] = .string(name)
            }
            if let gln { party["gln"] = .string(try GS1.gln(gln)) }
            if province != nil || commune != nil || addressAsWritten != nil {
                let address = try Address(province: province ?? "", commune: commune ?? "", asWritten: addressAsWritten)
                var a: [String: JSONValue] = ["province": .string(address.province), "commune": .string(address.commune)]
                if let w = address.asWritten { a["asWritten"] = .string(w) }
                party["address"] = .object(a)
            }
            if let memberOf { party["memberOf"] = .string(memberOf) }
            if let packhouseCode { party["packhouseCode"] = .string(packhouseCode) }
            try options.append(
                "party.register", ["party": .object(party)], operatorFallback: true, personal: commitments,
                summary: "registered \(id) (\(roles.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Replace a party's key; the old key signs nothing after this entry.")
        @OptionGroup var options: EventOptions
        @Option(help: "The party.") var id: String
        @Option(help: "The new verifier key.") var vkey: String

        func run() throws {
            try options.append(
                "party.rotate", ["party": .string(id), "key": .string(vkey)], operatorFallback: true,
                summary: "rotated the key of \(id)")
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke a party's key; what it signed before stays valid, nothing after is accepted.")
        @OptionGroup var options: EventOptions
        @Option(help: "The party.") var id: String
        @Option(help: "Only this verifier key (default: every current key of the party).") var vkey: String?
        @Option(help: "Why.") var reason: String

        func run() throws {
            var fields: [String: JSONValue] = ["party": .string(id), "reason": .string(reason)]
            if let vkey { fields["key"] = .string(vkey) }
            try options.append("party.revoke", fields, operatorFallback: true, summary: "revoked the key of \(id)")
        }
    }

    struct Amend: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "amend",
            abstract: "Correct a party by a new entry: a packhouse code, or a person's name, phone or ID number (committed anew)."
        )
        @OptionGroup var options: EventOptions
        @Option(help: "The party.") var id: String
        @Option(name: .customLong("packhouse-code"), help: "The packhouse's official code (mã số cơ sở đóng gói).")
        var packhouseCode: String?
        @Option(help: "A person's corrected name (committed, not written in the clear).") var name: String?
        @Option(help: "A person's corrected phone (committed).") var phone: String?
        @Option(name: .customLong("id-number"), help: "A person's corrected ID number (committed).") var idNumber: String?
        @Option(help: "Why.") var reason: String?

        func run() throws {
            for (option, value) in [("--name", name), ("--phone", phone), ("--id-number", idNumber)] {
                if let value { try InputCheck.noControlCharacters(.string(value), field: option) }
            }
            var fields: [String: JSONValue] = ["party": .string(id)]
            if let packhouseCode { fields["packhouseCode"] = .string(packhouseCode) }
            var commitments: [(party: String, field: String, commitment: Commitment)] = []
            var personal: [String: JSONValue] = [:]
            for (field, value) in [("name", name), ("phone", phone), ("idNumber", idNumber)] {
                guard let value, !value.isEmpty else { continue }
                let c = Commitment(value: value)
                personal[field] = .string(c.digest.hex)
                commitments.append((id, field, c))
            }
            if !personal.isEmpty { fields["personal"] = .object(personal) }
            if let reason { fields["reason"] = .string(reason) }
            guard packhouseCode != nil || !personal.isEmpty else {
                throw CLIFailure.input("error: party amend: give --packhouse-code, or a person's --name, --phone or --id-number")
            }
            try options.append(
                "party.amend", fields, operatorFallback: true, personal: commitments, summary: "amended party \(id)")
        }
    }
}
