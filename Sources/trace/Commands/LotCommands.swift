import ArgumentParser
import CanonicalJSON
import Foundation
import TraceDomain
import TraceLedger

/// `trace add`: a harvest, which makes a new lot.
struct AddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Record a harvest: a new lot from a plot.")
    @OptionGroup var options: EventOptions
    @Option(help: "The new lot's code (letters, digits, '-', at most 20).") var lot: String
    @Option(help: "The product, like \"Lúa ST25\".") var product: String
    // Unconditional, so `--quantity -1` is read as a value (and refused as one), not as an option.
    @Option(parsing: .unconditional, help: "The quantity, a decimal like 1200.5.") var quantity: String
    @Option(help: "kg, t, tạ, yến or g.") var unit: String = "kg"
    @Option(help: "The plot it was harvested from.") var plot: String
    @Option(help: "The harvest date, YYYY-MM-DD.") var harvested: String

    func run() throws {
        guard let amount = Mass.decimal(quantity), amount > 0 else {
            throw CLIFailure.input("error: --quantity: \"\(quantity)\" is not a positive decimal quantity, like 1200.5")
        }
        try InputCheck.harvestDate(harvested, field: "--harvested")
        try options.append(
            "harvest",
            [
                "lot": .string(lot), "product": .string(product), "quantity": .string(quantity), "unit": .string(unit),
                "plot": .string(plot), "harvested": .string(harvested),
            ], summary: "harvested lot \(lot): \(quantity) \(unit) of \(product) from plot \(plot)")
    }
}

/// `trace transform`: inputs become outputs (drying, milling, sorting, packing).
struct TransformCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transform", abstract: "Drying, milling, sorting, packing: input lots become output lots.")
    @OptionGroup var options: EventOptions
    @Option(help: "An input, LOT:QUANTITY[:UNIT]; repeat for several.") var input: [LotQuantity]
    @Option(help: "An output, LOT:QUANTITY[:UNIT]; repeat for several.") var output: [LotQuantity]
    @Option(help: "The product the outputs are, like \"Gạo ST25\".") var product: String
    @Option(help: "The process: drying, milling, sorting, packing, ...") var process: String
    @Option(name: .customLong("yield-limit"), help: "The most output per input, like 0.7 for milling paddy to rice.")
    var yieldLimit: String

    func run() throws {
        try options.append(
            "transform",
            [
                "process": .string(process), "yieldLimit": .string(yieldLimit),
                "inputs": .array(input.map(\.json)),
                "outputs": .array(
                    output.map { o in
                        var j = o.json.objectValue!
                        j["product"] = .string(product)
                        return .object(j)
                    }),
            ], summary: "\(process): \(input.map(\.lot).joined(separator: ", ")) -> \(output.map(\.lot).joined(separator: ", "))")
    }
}

/// `trace split`: one lot divided.
struct SplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split", abstract: "Divide a lot into smaller lots of the same product.")
    @OptionGroup var options: EventOptions
    @Option(help: "The lot to divide.") var lot: String
    @Option(help: "A new lot, LOT:QUANTITY[:UNIT]; repeat.") var into: [LotQuantity]

    func run() throws {
        try options.append(
            "split", ["lot": .string(lot), "outputs": .array(into.map(\.json))],
            summary: "split \(lot) into \(into.map(\.lot).joined(separator: ", "))")
    }
}

/// `trace merge`: lots of one product combined.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Combine whole lots of one product into a new lot.")
    @OptionGroup var options: EventOptions
    @Option(help: "A lot to merge; repeat.") var lot: [String]
    @Option(help: "The new lot's code.") var into: String

    func run() throws {
        try options.append(
            "merge", ["inputs": .array(lot.map { ["lot": .string($0)] }), "output": .string(into)],
            summary: "merged \(lot.joined(separator: ", ")) into \(into)")
    }
}

/// `trace ship`: hand custody over.
struct ShipCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ship", abstract: "Ship a lot to another party.")
    @OptionGroup var options: EventOptions
    @Option(help: "The lot.") var lot: String
    @Option(help: "The receiving party.") var to: String

    func run() throws {
        try options.append("ship", ["lot": .string(lot), "to": .string(to)], summary: "shipped \(lot) to \(to)")
    }
}

/// `trace receive`: accept custody.
struct ReceiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "receive", abstract: "Receive a lot shipped to you.")
    @OptionGroup var options: EventOptions
    @Option(help: "The lot.") var lot: String

    func run() throws {
        try options.append("receive", ["lot": .string(lot)], summary: "received \(lot)")
    }
}

/// `trace certify`: a certification or lab result, by the document's hash.
struct CertifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certify", abstract: "Attach a certification or lab result to a lot (the document's SHA-256 is recorded).")
    @OptionGroup var options: EventOptions
    @Option(help: "The lot.") var lot: String
    @Option(help: "VietGAP, GlobalG.A.P., organic, phytosanitary, lab test, ...") var scheme: String
    @Option(help: "The certificate or report document.") var document: String
    @Option(help: "The certificate's number.") var reference: String?
    @Option(name: .customLong("valid-until"), help: "YYYY-MM-DD.") var validUntil: String?

    func run() throws {
        var fields: [String: JSONValue] = [
            "lot": .string(lot), "scheme": .string(scheme),
            "documentSha256": .string(try Document.sha256(document, field: "--document")),
        ]
        if let reference { fields["reference"] = .string(reference) }
        if let validUntil { fields["validUntil"] = .string(validUntil) }
        try options.append("certify", fields, summary: "certified \(lot): \(scheme)")
    }
}

/// `trace export`: the export step.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export a lot to a buyer abroad.")
    @OptionGroup var options: EventOptions
    @Option(help: "The lot.") var lot: String
    @Option(help: "The buyer.") var buyer: String
    @Option(help: "Destination country, ISO 3166 alpha-2 (DE, US, JP, ...).") var country: String
    @Option(help: "Container number.") var container: String
    @Option(help: "GTIN of the trade item, for the GS1 Digital Link.") var gtin: String?

    func run() throws {
        var fields: [String: JSONValue] = [
            "lot": .string(lot), "buyer": .string(buyer), "country": .string(country.uppercased()),
            // "MSCU 123456-5" as printed on the box is the container MSCU1234565.
            "container": .string(
                Identifiers.isContainer(Identifiers.normalizedContainer(container))
                    ? Identifiers.normalizedContainer(container) : container),
        ]
        if let gtin { fields["gtin"] = .string(gtin) }
        try options.append(
            "export", fields, summary: "exported \(lot) to \(buyer) (\(country.uppercased()), container \(container))")
    }
}

/// `trace void`: a new entry that cancels a mistaken one.
struct VoidCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "void", abstract: "Cancel a mistaken entry with a new one; nothing is deleted.")
    @OptionGroup var options: EventOptions
    @Option(help: "The mistaken entry's number.") var entry: Int
    @Option(help: "Why.") var reason: String

    func run() throws {
        try options.append("void", ["entry": .int(entry), "reason": .string(reason)], summary: "voided entry \(entry)")
    }
}

/// `trace recall LOT`: hold every lot downstream.
struct RecallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall", abstract: "Hold a suspect lot and every lot made from it; list whom to notify.")
    @OptionGroup var options: EventOptions
    @Argument(help: "The suspect lot.") var lot: String
    @Option(help: "Why.") var reason: String

    func run() throws {
        let result = try options.append(
            "recall", ["lot": .string(lot), "reason": .string(reason)], operatorFallback: true, summary: "recalled \(lot)")
        guard !options.ledger.json, options.ledger.remote == nil else { return }
        let chain = try options.open()
        let held = chain.state.downstream(of: lot.uppercased()).compactMap { chain.state.lots[$0] }
            .filter { $0.holds.contains(result.entry.seq) }.map(\.code.text).sorted()
        print("on hold: \(held.joined(separator: ", "))")
        for (party, lots) in chain.state.partiesToNotify(recalling: lot.uppercased()).sorted(by: { $0.key < $1.key }) {
            print("notify \(party): \(lots.sorted().joined(separator: ", "))")
        }
    }
}

/// `trace release LOT`: lift a recall's hold.
struct ReleaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "release", abstract: "Lift the hold of a recall.")
    @OptionGroup var options: EventOptions
    @Argument(help: "The recalled lot.") var lot: String

    func run() throws {
        try options.append("release", ["lot": .string(lot)], operatorFallback: true, summary: "released the recall of \(lot)")
    }
}
