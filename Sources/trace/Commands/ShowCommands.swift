import ArgumentParser
import CanonicalJSON
import Foundation
import TraceClient
import TraceCrypto
import TraceDomain
import TraceLedger

/// `trace show LOT`: one lot, its facts and its timeline.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a lot: what it is, who holds it, its history.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The lot code (any case).") var lot: String
    @Option(help: "With --server: the operator verifier key you trust (default: the one the server's genesis entry names).")
    var `operator`: String?

    func run() throws {
        if let remote = options.remote {
            var answer = try remote.json("/v1/lots/" + RemoteLedger.segment(lot))
            let trusted: VerifierKey?
            do { trusted = try `operator`.map { try VerifierKey($0) } } catch let error as CryptoError {
                throw CLIFailure.input("error: --operator: \(error.message)")
            }
            // The server's own verdict is not taken on trust: the client checks the lot's story.
            let verdict = Verdict.decide(
                lot: lot, verification: try VerifyLotCommand.remoteCheck(remote, lot: lot, trusted: trusted))
            if case .object(var o) = answer {
                o["verdict"] = verdict.json
                answer = .object(o)
            }
            if options.json {
                try Output.json(answer)
            } else {
                for line in RemoteText.lot(answer) { print(line) }
            }
            try Self.finish(verdict, printed: !options.json)
            return
        }
        let chain = try options.openChainForReading()
        let lineage = try Lineage(chain: chain, lot: lot)
        let verdict = LotVerifier(chain: chain).verdict(lot: lot)
        if options.json {
            try Output.json(try lineage.lotJSON(verdict: verdict))
            try Self.finish(verdict, printed: false)
            return
        }
        let timeline = try lineage.timeline(lineage.root)
        for line in LineageText.describe(lineage.root, lineage) { print(line) }
        print("history:")
        for step in timeline {
            print("  entry \(step.seq)  \(step.time)  \(step.type) by \(lineage.name(of: step.actor))")
        }
        try Self.finish(verdict, printed: true)
    }

    /// Prints the verdict under the lot and exits 1 unless it is `verified`, as `verify-lot` does.
    static func finish(_ verdict: Verdict, printed: Bool) throws {
        if printed {
            print("verdict: \(verdict.headline(vietnamese: false))")
            for line in verdict.recallLines(vietnamese: false) { print("  " + line) }
            if let failure = verdict.failure { print("  " + failure.reason) }
        }
        if verdict.state != .verified {
            throw CLIFailure(
                status: verdict.exitCode,
                message: "\(verdict.headline(vietnamese: false)): lot \(verdict.lot)"
                    + (verdict.recalls.first.map { ": recalled by entry \($0.entry): \($0.reason)" } ?? "")
                    + (verdict.failure.map { ": \($0.reason)" } ?? ""))
        }
    }
}

/// `trace lineage LOT`: up to every origin plot and harvest, down to every export.
struct LineageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage", abstract: "A lot's tree: up to every origin plot and harvest, down to every export.",
        discussion: "--csv prints the FSMA 204 sortable spreadsheet of tracking events and key data elements.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The lot code (any case).") var lot: String
    @Flag(help: "Print the FSMA 204 spreadsheet (CSV) instead.") var csv = false

    func run() throws {
        if let remote = options.remote, !csv {
            let answer = try remote.json("/v1/lots/" + RemoteLedger.segment(lot) + "/lineage")
            if options.json {
                try Output.json(answer)
            } else {
                print("where \(answer["lot"]?.stringValue ?? lot) came from:")
                RemoteText.tree(answer["upstream"], key: "from", indent: "  ")
                print("where \(answer["lot"]?.stringValue ?? lot) went:")
                RemoteText.tree(answer["downstream"], key: "into", indent: "  ")
            }
            return
        }
        let chain = try options.openChainForReading()
        let lineage = try Lineage(chain: chain, lot: lot)
        if csv {
            print(try lineage.csv(), terminator: "")
        } else if options.json {
            try Output.json(lineage.treeJSON())
        } else {
            print("where \(lineage.root.code) came from:")
            LineageText.tree(lineage.root.code.key, lineage, upstream: true, indent: "  ")
            print("where \(lineage.root.code) went:")
            LineageText.tree(lineage.root.code.key, lineage, upstream: false, indent: "  ")
        }
    }
}

/// Lots and trees as readable text.
enum LineageText {
    static func describe(_ lot: LotRecord, _ lineage: Lineage) -> [String] {
        var lines = [
            "lot \(lot.code): \(lot.product), \(lot.held) held of \(lot.produced) produced",
            "  custodian: \(lineage.name(of: lot.custodian)) (\(lot.custodian)); status: \(Lineage.status(lot))"
                + (lot.holds.isEmpty
                    ? "" : "; ON HOLD (recall entry \(lot.holds.sorted().map(String.init).joined(separator: ", ")))"),
        ]
        if let plotID = lot.plot, let plot = lineage.chain.state.plots[plotID] {
            let address = lineage.chain.state.parties[plot.cooperative]?.address?.line ?? ""
            lines.append(
                "  harvested \(lot.harvested ?? "") on plot \(plot.id) (\(NSDecimalNumber(decimal: plot.areaHa).stringValue) ha, \(plot.crop)) "
                    + "of \(lineage.name(of: plot.farm)), member of \(lineage.name(of: plot.cooperative))\(address.isEmpty ? "" : ", \(address)")"
            )
        }
        for c in lot.certifications where !c.voided {
            lines.append(
                "  certified: \(c.scheme) by \(lineage.name(of: c.certifier)) (document sha256 \(c.documentSHA256.prefix(16))...)"
            )
        }
        if let e = lot.export {
            lines.append("  exported to \(e.buyer), \(e.country), container \(e.container)\(e.gtin.map { ", GTIN \($0)" } ?? "")")
        }
        return lines
    }

    static func tree(_ key: String, _ lineage: Lineage, upstream: Bool, indent: String, seen: Set<String> = []) {
        guard let lot = lineage.chain.state.lots[key] else { return }
        let lines = describe(lot, lineage)
        print(indent + lines[0])
        for line in lines.dropFirst() { print(indent + line) }
        guard !seen.contains(key) else { return }
        for next in upstream ? lot.parents : lot.children {
            tree(next, lineage, upstream: upstream, indent: indent + "    ", seen: seen.union([key]))
        }
    }
}

/// `trace forget --person ID`: erase a person's clear personal data.
struct ForgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Erase a person's clear personal data; the ledger's salted commitments stay and still verify.")
    @OptionGroup var options: LedgerOptions
    @Option(help: "The person's party id.") var person: String

    func run() throws {
        let chain = try SupplyChain(ledger: options.open())
        guard let party = chain.state.parties[person], party.isPerson else {
            throw CLIFailure.input("error: --person: \(person) is not a registered natural person")
        }
        let erased = try PersonalData.forget(party: person, in: chain.ledger.store)
        if options.json {
            try Output.json(["person": .string(person), "erased": .number(Double(erased))])
        } else {
            print("erased \(Output.count(erased, "value", "values")) of \(person); the ledger's commitments are unchanged")
        }
    }
}
