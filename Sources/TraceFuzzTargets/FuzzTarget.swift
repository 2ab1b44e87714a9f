/// One parser of outside input and the properties it must hold: bad bytes are refused with an
/// error, never a crash, and what parses survives its own round trip. libFuzzer runs these in
/// trace-fuzz (tools/fuzz); the test suite replays the seed corpus and mutations of it.
public struct FuzzTarget: Sendable, CustomStringConvertible {
    /// The name tools/fuzz passes, and the folder of its seed corpus in Fuzz/corpus.
    public let name: String
    let body: @Sendable ([UInt8]) throws -> Void

    init(name: String, _ body: @escaping @Sendable ([UInt8]) throws -> Void) {
        self.name = name
        self.body = body
    }

    public var description: String { name }

    /// Runs one input; a property that does not hold is thrown, naming this target and the input.
    public func run(_ input: [UInt8]) throws(FuzzFailure) {
        do { try body(input) } catch {
            throw FuzzFailure(target: name, property: (error as? FuzzFailure)?.property ?? "\(error)", input: input)
        }
    }

    /// Every target, in the order tools/fuzz runs them.
    public static let all: [FuzzTarget] = [
        canonicalJSON, entry, signedEvent, note, proof, certificate, geoJSON, query, fields, epcisQuery, epcisDocument, csv,
    ]

    /// The targets' names, for a usage message.
    public static var names: String { all.map(\.name).joined(separator: ", ") }

    /// The target called `name`, if there is one.
    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// Fails the input when a property does not hold: a finding, as much as a crash is.
    static func require(_ condition: Bool, _ what: @autoclosure () -> String) throws(FuzzFailure) {
        if !condition { throw FuzzFailure(target: "", property: what(), input: []) }
    }
}

/// A property a target's parser broke on one input: the finding, as a value a test can report
/// and trace-fuzz turns into the crash libFuzzer records.
public struct FuzzFailure: Error, Sendable, CustomStringConvertible {
    /// The target's name.
    public let target: String
    /// What did not hold.
    public let property: String
    /// The input that broke it.
    public let input: [UInt8]

    /// The target, the property, and the input in hex (what a regression test or `xxd -r -p` needs).
    public var description: String {
        let digits = Array("0123456789abcdef")
        let hex = String(input.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
        return "\(target): \(property); input (\(input.count) bytes, hex): \(hex)"
    }
}
