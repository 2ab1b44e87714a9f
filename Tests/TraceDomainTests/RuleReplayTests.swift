import CanonicalJSON
import ChainFixtures
import Foundation
import TestSupport
import Testing
import TraceCrypto
import TraceLedger

@testable import TraceDomain

/// The replay that keeps the rules' state in a temporary file: with a window of one entry every
/// record goes to disk and back between entries, so each rule sees only what it reads back.
struct RuleReplayTests {
    /// Every kind of record and effect: transforms, splits, shipments, certifications, exports,
    /// voids of earlier entries, and a recall released.
    func busyChain(store: StoreKind = .sqlite) throws -> ChainFixture {
        let f = try ChainFixture(store: store)
        for lot in ["RP-A", "RP-B", "RP-C"] {
            try f.harvest(lot, "1000")
            try f.submit("htx-tan-lap", "ship", ["lot": .string(lot), "to": "nha-may-xay-xat"])
            try f.submit("nha-may-xay-xat", "receive", ["lot": .string(lot)])
        }
        let milled = try f.submit(
            "nha-may-xay-xat", "transform",
            [
                "process": "milling", "yieldLimit": "0.7",
                "inputs": [["lot": "RP-A", "quantity": "1000"], ["lot": "RP-B", "quantity": "400.5"]],
                "outputs": [["lot": "RP-AB", "product": "Gạo ST25", "quantity": "900.25"]],
            ])
        try f.submit("nha-may-xay-xat", "void", ["entry": .int(Int(milled)), "reason": "wrong scale"])
        try f.submit(
            "nha-may-xay-xat", "transform",
            [
                "process": "milling", "yieldLimit": "0.7",
                "inputs": [["lot": "RP-A", "quantity": "1000"], ["lot": "RP-B", "quantity": "1000"]],
                "outputs": [["lot": "RP-AB2", "product": "Gạo ST25", "quantity": "1300"]],
            ])
        try f.submit(
            "nha-may-xay-xat", "split",
            ["lot": "RP-AB2", "outputs": [["lot": "RP-AB-1", "quantity": "700"], ["lot": "RP-AB-2", "quantity": "600"]]])
        let certified = try f.submit(
            "vietgap-cert", "certify",
            ["lot": "RP-AB-1", "scheme": "VietGAP", "documentSha256": .string(String(repeating: "ab", count: 32))])
        try f.submit("vietgap-cert", "void", ["entry": .int(Int(certified)), "reason": "wrong lot"])
        try f.submit("vietgap-cert", "recall", ["lot": "RP-B", "reason": "residue above limit"])
        try f.submit("vietgap-cert", "release", ["lot": "RP-B"])
        try f.submit("nha-may-xay-xat", "ship", ["lot": "RP-AB-1", "to": "vinarice-export"])
        try f.submit("vinarice-export", "receive", ["lot": "RP-AB-1"])
        try f.submit(
            "vinarice-export", "export",
            ["lot": "RP-AB-1", "buyer": "hamburg-foods", "country": "DE", "container": "MSCU1234565"])
        return f
    }

    @Test(arguments: StoreKind.allCases) func aReplayThroughTheTemporaryFileKeepsEveryRule(_ store: StoreKind) throws {
        let f = try busyChain(store: store)
        for window: UInt64 in [1, 2, 3, 4096] {
            #expect(try f.chain.verifyRules(window: window) == nil, "window \(window)")
        }
        // The state read back from disk is the state the rules built in memory.
        let replay = RuleReplay(window: 1)
        for seq in 0..<(try f.size()) { try replay.apply(try f.chain.ledger.entry(seq)) }
        for code in ["RP-A", "RP-B", "RP-C", "RP-AB", "RP-AB2", "RP-AB-1", "RP-AB-2"] {
            let replayed = try #require(replay.state.lot(code))
            let indexed = try #require(f.chain.state.lot(code))
            #expect(try Self.same(replayed, indexed), "\(code)")
        }
    }

    @Test(arguments: StoreKind.allCases) func aSignedEntryThatBreaksARuleIsNamedWhenTheStateIsOnDisk(_ store: StoreKind) throws {
        let f = try busyChain(store: store)
        // Written straight into the store with the mill's own key: it draws from RP-C more than
        // the harvest (many entries back, so on disk by now) gave it.
        let planted = try SignedEvent.sign(
            SupplyChain.event(
                "transform", actor: "nha-may-xay-xat",
                [
                    "process": "milling", "yieldLimit": "0.7", "inputs": [["lot": "RP-C", "quantity": "1000.001"]],
                    "outputs": [["lot": "RP-C-1", "product": "Gạo ST25", "quantity": "10"]],
                ]), with: f.keys["nha-may-xay-xat"]!, keyName: "nha-may-xay-xat")
        let seq = try f.chain.ledger.store.write { writer in
            let size = try writer.size()
            try writer.append(try Entry(seq: size, recorded: Timestamp.now(), prev: try writer.lastLeafHash(), signed: planted))
            return size
        }
        for window: UInt64 in [1, 5, 4096] {
            let found = try #require(try f.chain.verifyRules(window: window), "window \(window)")
            #expect(found.entry == seq)
            #expect(found.error.code == .overdrawn, "\(found.error.message)")
            #expect(found.error.message.contains("RP-C holds 1,000 kg"), "\(found.error.message)")
        }
        // The full verification names the same entry, the rules check and the rule's own code,
        // though every signature, link and node checks.
        let verification = try SupplyChain.verify(f.chain.ledger)
        #expect(verification.report.signatures == seq)
        #expect(
            verification.failure?.check == .rules && verification.failure?.entry == seq
                && verification.failure?.code == DomainError.Code.overdrawn.rawValue,
            "\(String(describing: verification.failure))")
    }

    /// Signs `event` as `actor` with `key` and writes it straight into the store, as an attacker
    /// with a stolen key and the file could; returns its entry number.
    func plant(_ f: ChainFixture, _ type: String, actor: String, key: PrivateKey, _ fields: [String: JSONValue]) throws
        -> UInt64
    {
        let signed = try SignedEvent.sign(SupplyChain.event(type, actor: actor, fields), with: key, keyName: actor)
        return try f.chain.ledger.store.write { writer in
            let size = try writer.size()
            try writer.append(try Entry(seq: size, recorded: Timestamp.now(), prev: try writer.lastLeafHash(), signed: signed))
            return size
        }
    }

    /// Events are parsed on the verification workers; one that does not parse is refused with the
    /// code and message the in-order replay (as on append) gives: a member's malformed harvest as
    /// malformed, a stranger's as a stranger's, since who acts is judged before the fields.
    @Test(arguments: StoreKind.allCases) func anEventThatDoesNotParseIsRefusedAsTheReplayRefusesIt(_ store: StoreKind) throws {
        let harvest: [String: JSONValue] = ["product": "Lúa ST25", "quantity": "10", "plot": "P-001", "harvested": "2026-07-01"]
        for (actor, stranger) in [("htx-tan-lap", false), ("ke-la", true)] {
            let f = try busyChain(store: store)
            let key = stranger ? try PrivateKey.generate() : f.keys[actor]!
            let seq = try plant(f, "harvest", actor: actor, key: key, harvest)
            let replayed = try #require(try f.chain.verifyRules(window: 4096))
            #expect(replayed.entry == seq)
            #expect(replayed.error.code == (stranger ? .unknownParty : .badInput), "\(replayed.error.message)")
            let verification = try SupplyChain.verify(f.chain.ledger)
            #expect(verification.report.signatures == seq)
            #expect(
                verification.failure
                    == VerificationFailure(
                        check: .rules, code: replayed.error.code.rawValue, entry: seq,
                        reason: "entry \(seq) breaks a rule: \(replayed.error.message)"),
                "\(String(describing: verification.failure))")
        }
    }

    /// The replay skips the scratch space for a lot it never wrote there; a lot it did write, and
    /// then dropped from memory, is still found: its code cannot be used again.
    @Test(arguments: StoreKind.allCases) func aLotCodeOnDiskCannotBeHarvestedAgain(_ store: StoreKind) throws {
        let f = try busyChain(store: store)
        let seq = try plant(
            f, "harvest", actor: "htx-tan-lap", key: f.keys["htx-tan-lap"]!,
            ["lot": "rp-a", "product": "Lúa ST25", "quantity": "10", "unit": "kg", "plot": "P-001", "harvested": "2026-07-01"])
        for window: UInt64 in [1, 5, 4096] {
            let found = try #require(try f.chain.verifyRules(window: window), "window \(window)")
            #expect(found.entry == seq && found.error.code == .lotExists, "window \(window): \(found.error.message)")
        }
        let verification = try SupplyChain.verify(f.chain.ledger)
        #expect(verification.failure?.entry == seq && verification.failure?.code == DomainError.Code.lotExists.rawValue)
    }

    @Test(arguments: StoreKind.allCases) func aFullVerificationNamesTheCheckAndTheEntry(_ store: StoreKind) throws {
        let f = try busyChain(store: store)
        _ = try f.chain.ledger.checkpoint(signingWith: f.operatorKey)
        let clean = try SupplyChain.verify(f.chain.ledger)
        #expect(clean.ok, "\(String(describing: clean.failure))")
        #expect(clean.report.entries == (try f.size()) && clean.report.checkpointsChecked >= 2)
        // Another operator key than the ledger's: the checkpoints check refuses it.
        let intruder = try VerifierKey(name: f.chain.ledger.metadata.origin, publicKey: try PrivateKey.generate().publicKey)
        #expect(try SupplyChain.verify(f.chain.ledger, trusting: intruder).failure?.check == .checkpoints)
        // Since a trusted checkpoint, only what came after is checked, and it still passes.
        let old = try #require(try f.chain.ledger.latestCheckpoint()).checkpoint
        try f.harvest("RP-LATE")
        let since = try SupplyChain.verify(f.chain.ledger, since: old)
        #expect(since.ok && since.since == old.size && since.report.signatures == 1, "\(String(describing: since.failure))")
    }

    @Test func recordsComeBackFromTheirStoredFormUnchanged() throws {
        let lot = LotRecord(
            code: try LotCode("Rp-x-1"), product: "Gạo ST25", produced: try Mass("1200.125", unit: .kg),
            held: try Mass("0.001", unit: .kg), custodian: "vinarice-export",
            status: .inTransit(to: "hamburg-foods", shipSeq: 1 << 40), createdSeq: 7, lastTimeMs: -5, plot: nil,
            harvested: "2026-07-01", parents: ["A", "B"], children: [], entries: [7, 300, 1 << 33],
            certifications: [
                Certification(
                    seq: 9, scheme: "VietGAP", reference: nil, documentSHA256: "ab", certifier: "c", validUntil: "2027-01-01",
                    voided: true)
            ], holds: [12, 4], custodians: ["a", "b"],
            export: ExportRecord(seq: 20, buyer: "Hamburg", country: "DE", container: "MSCU1", gtin: nil))
        var out = ByteWriter()
        lot.write(to: &out)
        var input = ByteReader(out.bytes)
        #expect(try Self.same(LotRecord(reading: &input), lot))

        let fact = EntryFact(
            actor: "nha-may-xay-xat",
            effect: .converted(inputs: [Drawn(lot: "A", mass: try Mass("2.5", unit: .t))], outputs: ["C", "D"]), voided: true)
        out = ByteWriter()
        fact.write(to: &out)
        input = ByteReader(out.bytes)
        #expect(try Self.json(EntryFact(reading: &input)) == Self.json(fact))
        // Masses come back exactly, whatever their scale.
        for text in ["0.001", "1200.125", "123456789012345.678901", "7", "0.000000001"] {
            let drawn = Drawn(lot: "A", mass: try Mass(text, unit: .kg))
            out = ByteWriter()
            drawn.write(to: &out)
            input = ByteReader(out.bytes)
            #expect(try Drawn(reading: &input).mass == drawn.mass, "\(text)")
        }
        out = ByteWriter()
        fact.write(to: &out)
        // A record cut short is an error, never a different record.
        input = ByteReader(Array(out.bytes.dropLast(3)))
        #expect(throws: ReplayError.self) { try EntryFact(reading: &input) }
    }

    /// Equal records: the same JSON, holds (a set, in no fixed order) compared apart.
    static func same(_ a: LotRecord, _ b: LotRecord) throws -> Bool {
        var (x, y) = (a, b)
        (x.holds, y.holds) = ([], [])
        let (left, right) = (try json(x), try json(y))
        return a.holds == b.holds && left == right
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
