import ArgumentParser
import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger

/// `trace stats`: the programme at a glance, from the rules index, with the checkpoint it is at.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Counts and volumes by month, commune, crop, cooperative, scheme and destination (farms counted, never named).",
        discussion: """
            Every figure names the ledger size and Merkle root it was computed at. A figure behind fewer than 3 farms \
            is printed as suppressed, and a filter that would single out fewer than 3 farms is refused \
            (domain.too_few_farms). --csv prints RFC 4180 CSV; --json one JSON document.
            """)

    @OptionGroup var options: LedgerOptions
    @Flag(help: "Print the figures as CSV, one row per figure.") var csv = false
    @Option(help: "Only harvests (and what was made from them) of this crop.") var crop: String?
    @Option(help: "Only harvests from this month on (YYYY-MM).") var from: String?
    @Option(help: "Only harvests up to this month (YYYY-MM).") var to: String?
    @Flag(help: "Compute from a full replay of the entries instead of the rules index (slower; the same figures).")
    var replay = false

    func validate() throws {
        if csv && options.json { throw ValidationError("choose one of --csv and --json") }
    }

    func run() throws {
        let filter = try StatsFilter(crop: crop, from: from, to: to)
        let stats = try replay ? Self.replayed(options.open(), filter) : SupplyChain(ledger: options.open()).stats(filter)
        if options.json {
            try Output.json(stats.json)
        } else if csv {
            FileHandle.standardOutput.write(Data(stats.csv.utf8))
        } else {
            print("checkpoint: \(stats.size) entries, root \(stats.root)")
            print("period: \(stats.firstMonth ?? "-") to \(stats.lastMonth ?? "-")")
            if let share = stats.certifiedShare {
                print("certified share of exports: \(Stats.percent(share))")
            }
            var dimension = ""
            for row in stats.rows {
                if row.dimension != dimension {
                    dimension = row.dimension
                    print("\(dimension):")
                }
                print("  \(row.label): \(Self.describe(row))")
            }
        }
    }

    /// The figures from `DomainState()` and every entry applied in order, without the index.
    static func replayed(_ ledger: Ledger, _ filter: StatsFilter) throws -> Stats {
        var state = DomainState()
        if let (seq, error) = try SupplyChain.replay(ledger, into: &state) {
            throw CLIFailure(status: 1, message: "FAIL: entry \(seq) breaks a rule: \(error.message) [\(error.code.rawValue)]")
        }
        return try Stats(state.allRecords, root: try ledger.root(size: state.size).hex, filter: filter)
    }

    static func describe(_ row: StatsRow) -> String {
        guard !row.suppressed else { return "suppressed (fewer than \(Stats.threshold) farms)" }
        var parts: [String] = []
        if row.farms > 0 { parts.append("\(row.farms) farms") }
        if row.plots > 0 { parts.append("\(row.plots) plots, \(row.hectares) ha") }
        if row.count > 0 || parts.isEmpty { parts.append("\(row.count)") }
        if row.kilograms > 0 { parts.append("\(row.kilograms) kg") }
        return parts.joined(separator: ", ")
    }
}
