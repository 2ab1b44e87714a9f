import ArgumentParser
import CanonicalJSON
import Foundation
import TraceDomain

/// `trace rules`: the limits the operator sets, never the party they limit (docs/RULES.md).
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Set and list the operator's caps and rules (operator).",
        subcommands: [SetCropCap.self, SetProcessCap.self, RequireCodes.self, Adopt.self, List.self])

    struct SetCropCap: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-crop-cap",
            abstract: "The most a plot of this crop may yield per hectare within a rolling window of days.")
        @OptionGroup var options: EventOptions
        @Option(help: "The crop, as plots name it (compared ignoring case), like \"lúa ST25\".") var crop: String
        @Option(name: .customLong("kg-per-ha"), help: "Kilograms per hectare, like 9000.") var kgPerHa: String
        @Option(name: .customLong("window-days"), help: "The window in days, like 120.") var windowDays: String

        func run() throws {
            guard let days = Int(windowDays), (1...3660).contains(days) else {
                throw CLIFailure.input("error: --window-days: \"\(windowDays)\" must be a whole number of days from 1 to 3660")
            }
            guard let kg = Mass.decimal(kgPerHa), kg > 0 else {
                throw CLIFailure.input("error: --kg-per-ha: \"\(kgPerHa)\" must be a positive number of kilograms, like 9000")
            }
            _ = kg
            try options.append(
                "rules.crop-cap", ["crop": .string(crop), "kgPerHa": .string(kgPerHa), "windowDays": .int(days)],
                operatorFallback: true, summary: "crop cap for \(crop): \(kgPerHa) kg/ha per \(days) days")
        }
    }

    struct SetProcessCap: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-process-cap",
            abstract: "The most output per input a process may claim; a cap for one output product wins over the process's.")
        @OptionGroup var options: EventOptions
        @Option(help: "The process, as transforms name it (compared ignoring case), like milling.") var process: String
        @Option(help: "Output per input, in (0, 1], like 0.70.") var yield: String
        @Option(help: "Only for outputs of this product.") var product: String?

        func run() throws {
            guard let y = Mass.decimal(yield), y > 0, y <= 1 else {
                throw CLIFailure.input("error: --yield: \"\(yield)\" must be a decimal in (0, 1], like 0.70")
            }
            var fields: [String: JSONValue] = ["process": .string(process), "yield": .string(yield)]
            if let product { fields["product"] = .string(product) }
            try options.append(
                "rules.process-cap", fields, operatorFallback: true,
                summary: "process cap for \(process)\(product.map { " making \($0)" } ?? ""): \(yield)")
        }
    }

    struct RequireCodes: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "require-codes",
            abstract: "Exports of this crop to this country need growing-area and packhouse codes.")
        @OptionGroup var options: EventOptions
        @Option(help: "The crop, as plots name it.") var crop: String
        @Option(help: "The destination country, ISO 3166-1 alpha-2, like CN.") var destination: String

        func run() throws {
            let country = destination.uppercased()
            guard Identifiers.isCountry(country) else {
                throw CLIFailure.input(
                    "error: --destination: \"\(destination)\" is not an ISO 3166-1 alpha-2 country code, like CN")
            }
            try options.append(
                "rules.require-codes", ["crop": .string(crop), "destination": .string(country)], operatorFallback: true,
                summary: "exports of \(crop) to \(country) need growing-area and packhouse codes")
        }
    }

    struct Adopt: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "adopt",
            abstract: "Adopt this release's rules: they apply from this entry on, never to earlier entries.")
        @OptionGroup var options: EventOptions
        @Option(
            name: .customLong("max-backdate-days"),
            help: "How many days before it is recorded a harvest may be dated (default 30).")
        var maxBackdateDays: Int?

        func run() throws {
            var fields: [String: JSONValue] = ["release": .string(RulesCommand.release)]
            if let maxBackdateDays {
                guard (0...3660).contains(maxBackdateDays) else {
                    throw CLIFailure.input("error: --max-backdate-days: \(maxBackdateDays) must be from 0 to 3660")
                }
                fields["maxBackdateDays"] = .int(maxBackdateDays)
            }
            try options.append(
                "rules.adopt", fields, operatorFallback: true,
                summary: "adopted the rules of release \(RulesCommand.release) from this entry on")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "The caps and rules in force, with the entry that set each.")
        @OptionGroup var options: LedgerOptions

        func run() throws {
            let rules = try SupplyChain(ledger: options.open()).state.rules
            if options.json {
                try Output.json(RulesCommand.json(rules))
                return
            }
            print(
                rules.adoptedSeq.map {
                    "rules of this release adopted at entry \($0) (harvests dated at most \(rules.maxBackdateDays) days back)"
                } ?? "rules of this release not adopted (trace rules adopt)")
            if let seq = rules.wholeMilligramsSeq {
                print("quantities in whole milligrams from entry \(seq) (release \(OperatorRules.wholeMilligramsRelease))")
            } else if rules.adopted {
                print("quantities finer than a milligram still accepted (trace rules adopt again adopts release \(release))")
            }
            for cap in rules.cropCaps.values.sorted(by: { $0.seq < $1.seq }) {
                print("crop cap     \(cap.crop): \(decimal(cap.kgPerHa)) kg/ha per \(cap.windowDays) days (entry \(cap.seq))")
            }
            for cap in rules.processCaps.values.sorted(by: { $0.seq < $1.seq }) {
                print(
                    "process cap  \(cap.process)\(cap.product.map { " -> \($0)" } ?? ""): \(decimal(cap.yield)) (entry \(cap.seq))"
                )
            }
            for r in rules.codeRequirements.values.sorted(by: { $0.seq < $1.seq }) {
                print("codes needed \(r.crop) to \(r.destination) (entry \(r.seq))")
            }
        }
    }

    /// The release whose rules `rules adopt` adopts.
    static let release = OperatorRules.wholeMilligramsRelease

    static func decimal(_ d: Decimal) -> String { NSDecimalNumber(decimal: d).stringValue }

    static func json(_ rules: OperatorRules) -> JSONValue {
        [
            "adoptedEntry": rules.adoptedSeq.map { .number(Double($0)) } ?? .null,
            "maxBackdateDays": .int(rules.maxBackdateDays),
            "wholeMilligramsEntry": rules.wholeMilligramsSeq.map { .number(Double($0)) } ?? .null,
            "cropCaps": .array(
                rules.cropCaps.values.sorted(by: { $0.seq < $1.seq }).map {
                    [
                        "crop": .string($0.crop), "kgPerHa": .string(decimal($0.kgPerHa)), "windowDays": .int($0.windowDays),
                        "entry": .number(Double($0.seq)),
                    ]
                }),
            "processCaps": .array(
                rules.processCaps.values.sorted(by: { $0.seq < $1.seq }).map {
                    [
                        "process": .string($0.process), "product": $0.product.map { .string($0) } ?? .null,
                        "yield": .string(decimal($0.yield)), "entry": .number(Double($0.seq)),
                    ]
                }),
            "codeRequirements": .array(
                rules.codeRequirements.values.sorted(by: { $0.seq < $1.seq }).map {
                    ["crop": .string($0.crop), "destination": .string($0.destination), "entry": .number(Double($0.seq))]
                }),
        ]
    }
}

private func decimal(_ d: Decimal) -> String { RulesCommand.decimal(d) }
