import Foundation
import TestSupport
import Testing
import TraceCrypto

@testable import TraceFuzzTargets

/// CI's share of fuzzing (tools/test builds no libFuzzer: docs/RELIABILITY.md): every fuzz
/// target's properties on its whole seed corpus, then on seeded mutations of it, in the normal
/// debug build. A broken property fails the test naming the target and the input in hex.
@Suite struct FuzzCorpusReplayTests {
    static let corpus = URL(fileURLWithPath: SchemaCheck.root).appendingPathComponent("Fuzz/corpus")

    /// Mutated inputs per target: about a second of one core in a debug build (measured serially,
    /// docs/RELIABILITY.md); the slow parsers get fewer so that no target holds the suite up.
    static func mutations(of target: FuzzTarget) -> Int {
        switch target.name {
        case "certificate": 500  // every input is decoded and its signatures and proofs verified: ~2 ms
        case "epcis-document": 1_500  // hashes every event and maps the document into a ledger: ~0.7 ms
        case "proof": 3_000
        default: 5_000
        }
    }

    /// The seed corpus of `target`, by file name, as tools/fuzz hands it to libFuzzer.
    static func seeds(of target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        let folder = corpus.appendingPathComponent(target.name)
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map { name in
            (name, Array(try Data(contentsOf: folder.appendingPathComponent(name))))
        }
    }

    /// Runs `input`, recording a broken property as this test's failure; true when it held.
    static func holds(_ target: FuzzTarget, _ input: [UInt8], _ origin: @autoclosure () -> String) -> Bool {
        do {
            try target.run(input)
            return true
        } catch {
            Issue.record("\(origin()): \(error)")
            return false
        }
    }

    @Test(
        "every fuzz target holds its properties on each seed of its corpus and on seeded mutations of them",
        arguments: FuzzTarget.all)
    func seedsAndMutationsHoldTheProperties(target: FuzzTarget) throws {
        FuzzTarget.operatorKey = try VerifierKey(
            String(decoding: Data(contentsOf: Self.corpus.appendingPathComponent("operator.vkey")), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines))
        let seeds = try Self.seeds(of: target)
        try #require(!seeds.isEmpty, "Fuzz/corpus/\(target.name) has no seeds")
        for seed in seeds {
            guard Self.holds(target, seed.bytes, "seed Fuzz/corpus/\(target.name)/\(seed.name)") else { return }
        }
        // One stream per target, from its name (FNV-1a): a failure replays with that target alone.
        var random = SplitMix64(state: target.name.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 })
        for round in 0..<Self.mutations(of: target) {
            let seed = seeds[Int(random.next() % UInt64(seeds.count))]
            let other = seeds[Int(random.next() % UInt64(seeds.count))].bytes
            let input = Mutator.mutate(seed.bytes, splicing: other, using: &random)
            guard Self.holds(target, input, "mutation \(round) of seed \(seed.name)") else { return }
        }
    }

    @Test("the seed corpus has a folder for every fuzz target and none for a target that does not exist")
    func corpusFoldersMatchTheTargets() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter {
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: Self.corpus.appendingPathComponent($0).path, isDirectory: &isFolder)
                && isFolder.boolValue
        }
        #expect(Set(folders) == Set(FuzzTarget.all.map(\.name)))
    }

    @Test("a broken property is thrown as a failure naming the target, the property and the input in hex")
    func brokenPropertyIsReportedNotCrashed() {
        let target = FuzzTarget(name: "always-broken") { _ in
            try FuzzTarget.require(false, "the property")
        }
        #expect(throws: FuzzFailure.self) { try target.run([0x7B, 0x00, 0xFF]) }
        do {
            try target.run([0x7B, 0x00, 0xFF])
        } catch {
            #expect(error.target == "always-broken")
            #expect(error.input == [0x7B, 0x00, 0xFF])
            #expect(error.description == "always-broken: the property; input (3 bytes, hex): 7b00ff")
        }
    }
}
