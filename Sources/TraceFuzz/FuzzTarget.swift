/// One parser of outside input under libFuzzer: bad bytes must be refused with an error, never
/// crash, and what parses must survive its own round trip.
struct FuzzTarget: Sendable {
    /// The name tools/fuzz passes, and the folder of its seed corpus in Fuzz/corpus.
    let name: String
    /// Runs one input; a broken property stops the process (libFuzzer records the input).
    let run: @Sendable ([UInt8]) -> Void

    static let all: [FuzzTarget] = [
        canonicalJSON, entry, signedEvent, note, proof, certificate, geoJSON, query, fields, epcisQuery, epcisDocument, csv,
    ]

    static var names: String { all.map(\.name).joined(separator: ", ") }

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// Stops the run when a property does not hold: a finding, as much as a crash is.
    static func require(_ condition: Bool, _ what: @autoclosure () -> String) {
        if !condition { fatalError("trace-fuzz: \(what())") }
    }
}
