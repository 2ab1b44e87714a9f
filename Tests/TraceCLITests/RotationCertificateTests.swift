import CanonicalJSON
import Foundation
import TestSupport
import Testing
import TraceCertificates
import TraceCrypto
import TraceLedger
import TraceLedgerSQLite

/// Certificates and `verify --since` across an operator key rotation: a buyer or auditor who
/// trusts only the genesis key follows the chain of `operator.rotate` entries, and a rotation
/// the old key did not sign is refused, named by its entry.
struct RotationCertificateTests {
    static let origin = "longan.trace.example/ledger"

    /// Rotates the operator key of `h`'s ledger and puts the new key where the old one was (the
    /// old one is kept as old.operator.key); returns the rotation's entry and the new verifier key.
    static func rotate(_ h: CLIHarness) throws -> (entry: UInt64, vkey: String) {
        let made = try h.run("keys", "new", "--name", origin, "--out", "new.operator.key")
        try #require(made.status == 0, "\(made.stderr)")
        let size = try Ledger(path: h.ledger).size()
        let rotated = try h.run("operator", "rotate", "--new-key", "new.operator.key")
        try #require(rotated.status == 0, "\(rotated.stderr)")
        let files = FileManager.default
        try files.copyItem(atPath: h.operatorKeyPath, toPath: h.directory + "/old.operator.key")
        try files.removeItem(atPath: h.operatorKeyPath)
        try files.copyItem(atPath: h.directory + "/new.operator.key", toPath: h.operatorKeyPath)
        return (size, made.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func aCertificateIssuedAfterARotationVerifiesOfflineAndLiveWithTheGenesisKeyAndOldOnesStillDo() throws {
        let h = try CertificateCLITests().exported()
        #expect(try h.run("certificate", "issue", "X-1", "--out", "before.json", "--key", "vinarice.key").status == 0)
        let (rotation, _) = try Self.rotate(h)
        try h.runAll([
            [
                "add", "--key", "htx-tan-lap.key", "--lot", "X-2", "--product", "Lúa", "--quantity", "1", "--plot", "P-001",
                "--harvested", "2026-07-02",
            ],
            ["checkpoint"],
        ])
        let issued = try h.run("certificate", "issue", "X-1", "--out", "after.json", "--key", "vinarice.key")
        #expect(issued.status == 0, "\(issued.stderr)")
        // The file carries the rotation (the operator's keys are part of every story).
        let after = try CanonicalJSON.parse(try String(contentsOfFile: h.directory + "/after.json", encoding: .utf8))
        let indices = after["entries"]?.arrayValue?.compactMap { $0["index"]?.intValue } ?? []
        #expect(indices.contains(Int(rotation)))

        for file in ["after.json", "before.json"] {
            let offline = try h.run("certificate", "verify", file, "--operator", h.operatorVKey)
            #expect(offline.status == 0, "\(file): \(offline.stdout) \(offline.stderr)")
            let live = try h.run("certificate", "verify", file, "--operator", h.operatorVKey, "--ledger", "trace.db")
            #expect(live.status == 0, "\(file): \(live.stdout) \(live.stderr)")
            #expect(live.stdout.contains("ok   consistency:"), "\(live.stdout)")
        }
        let offline = try h.run("certificate", "verify", "after.json", "--operator", h.operatorVKey)
        #expect(offline.stdout.contains("with the key the rotation in entry \(rotation) named"), "\(offline.stdout)")
    }

    /// A certificate whose checkpoint is signed by a key the genesis key never named: the rotation
    /// entry is signed by a stranger, or claims the old key with a signature it did not make.
    @Test func aForgedRotationInACertificateIsRefusedByTheCheckpointCheckNamingItsEntry() throws {
        let h = try CertificateCLITests().exported()
        let (rotation, _) = try Self.rotate(h)
        #expect(try h.run("checkpoint").status == 0)
        #expect(try h.run("certificate", "issue", "X-1", "--out", "cert.json", "--key", "vinarice.key").status == 0)
        for (name, variant) in [("stranger.json", Forgery.signedByStranger), ("unsigned.json", .claimsTheOldKey)] {
            try Forgery.write(variant, of: "cert.json", rotation: rotation, to: name, in: h)
            let refused = try h.json("certificate", "verify", name, "--operator", h.operatorVKey)
            let failed = refused["checks"]?.arrayValue?.first { $0["passed"]?.boolValue == false }
            #expect(failed?["check"]?.stringValue == "checkpoint", "\(name): \(refused)")
            #expect(failed?["entry"]?.intValue == Int(rotation), "\(name): \(refused)")
            #expect(refused["verdict"]?.stringValue == "not_verified")
            if let python = CertificateCLITests.python {
                let theirs = try Command.run(
                    python, [SchemaCheck.root + "/tools/verify-certificate.py", name, "--operator", h.operatorVKey, "--json"],
                    directory: h.directory)
                #expect(theirs.status == 1, "\(name): \(theirs.stdout) \(theirs.stderr)")
                let verdict = try CanonicalJSON.parse(theirs.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
                #expect(verdict["failure"]?["check"]?.stringValue == "checkpoint", "\(name): python says \(verdict)")
            }
        }
    }

    /// The independent Python verifier follows the rotation too (FORMAT.md section 12, check 1).
    @Test(.enabled(if: CertificateCLITests.python != nil, "SKIPPED: needs python3 with cryptography"))
    func thePythonVerifierFollowsTheRotation() throws {
        let h = try CertificateCLITests().exported()
        _ = try Self.rotate(h)
        #expect(try h.run("checkpoint").status == 0)
        #expect(try h.run("certificate", "issue", "X-1", "--out", "cert.json", "--key", "vinarice.key").status == 0)
        let theirs = try Command.run(
            CertificateCLITests.python!,
            [SchemaCheck.root + "/tools/verify-certificate.py", "cert.json", "--operator", h.operatorVKey],
            directory: h.directory)
        #expect(theirs.status == 0, "\(theirs.stdout) \(theirs.stderr)")
        #expect(theirs.stdout.contains("VERIFIED: lot X-1"), "\(theirs.stdout)")
    }

    /// A thief holding the replaced key (and the exporter's) leaves the rotation out and signs the
    /// checkpoint with the old key: offline nothing can show it (FORMAT.md section 12), but the
    /// live ledger's chain names the key that signs that size, and `consistency` refuses it.
    @Test func aCertificateSignedWithTheReplacedKeyLeavingTheRotationOutFailsAgainstTheLiveLedger() throws {
        let h = try CertificateCLITests().exported()
        let (rotation, _) = try Self.rotate(h)
        #expect(try h.run("checkpoint").status == 0)
        #expect(try h.run("certificate", "issue", "X-1", "--out", "cert.json", "--key", "vinarice.key").status == 0)
        let text = try String(contentsOfFile: h.directory + "/cert.json", encoding: .utf8)
        guard case .object(var certificate) = try CanonicalJSON.parse(text), let entries = certificate["entries"]?.arrayValue,
            let signature = certificate["signature"]
        else { throw NoRotation(file: "cert.json") }
        certificate["entries"] = .array(entries.filter { $0["index"]?.intValue != Int(rotation) })
        let checkpoint = try Checkpoint(text: SignedNote(parsing: certificate["checkpoint"]?.stringValue ?? "").text)
        certificate["checkpoint"] = .string(
            try checkpoint.sign(
                with: try PrivateKey(contentsOfFile: h.directory + "/old.operator.key"), as: try VerifierKey(h.operatorVKey)
            ).encoded)
        certificate["signature"] = nil
        let exporter = try PrivateKey(contentsOfFile: h.directory + "/vinarice.key")
        let signed = try exporter.sign(Array("trace.certificate.v1".utf8) + [0] + CanonicalJSON.encode(.object(certificate)))
        certificate["signature"] = [
            "key": signature["key"] ?? .null, "value": .string(Data(signed).base64EncodedString()),
        ]
        try Data(try CanonicalJSON.encode(.object(certificate))).write(to: URL(fileURLWithPath: h.directory + "/stolen.json"))

        let offline = try h.run("certificate", "verify", "stolen.json", "--operator", h.operatorVKey)
        #expect(offline.status == 0, "\(offline.stdout) \(offline.stderr)")
        let live = try h.run("certificate", "verify", "stolen.json", "--operator", h.operatorVKey, "--ledger", "trace.db")
        #expect(live.status == 1, "\(live.stdout)")
        #expect(live.stdout.contains("FAIL consistency:"), "\(live.stdout)")
        #expect(
            live.stdout.contains("named by the rotation in entry \(rotation)): a checkpoint signed with a replaced key"),
            "\(live.stdout)")
    }

    /// `verify`, `verify-lot` and `certificate issue/verify` with `--witness` open the cosigned
    /// checkpoints with the key in force after the rotation.
    @Test func witnessQuorumsAreFoundAfterARotation() throws {
        let h = try CertificateCLITests().exported()
        let w = try WitnessCertificateTests.witnesses(h)
        _ = try Self.rotate(h)
        let latest = try #require(try Ledger(path: h.ledger).latestCheckpoint())
        try w[0].cosign(latest.1, in: h)
        let one = ["--witness", w[0].vkey]
        let runs: [[String]] = [
            ["verify", "--operator", h.operatorVKey], ["verify-lot", "X-1", "--operator", h.operatorVKey],
            ["certificate", "issue", "X-1", "--out", "cert.json", "--key", "vinarice.key"],
            ["certificate", "verify", "cert.json", "--operator", h.operatorVKey],
        ]
        for arguments in runs {
            let result = try Command.run(Command.trace, arguments + one, directory: h.directory)
            #expect(result.status == 0, "\(arguments[0]): \(result.stdout) \(result.stderr)")
        }
        let verified = try Command.run(Command.trace, ["verify"] + one, directory: h.directory)
        #expect(verified.stdout.contains("witnessed: the checkpoint of size \(latest.0.size)"), "\(verified.stdout)")
    }

    /// The open-data catalogue is signed by the key in force; the replaced key may not sign it.
    @Test func openDataIsPublishedWithTheKeyInForceAfterARotation() throws {
        let h = try CLIHarness()
        try h.appendEvents(2)
        let (_, newVKey) = try Self.rotate(h)
        let published = try h.run("publish", "--open-data", "od", "--key", h.operatorKeyPath)
        #expect(published.status == 0, "\(published.stderr)")
        let catalog = [UInt8](try Data(contentsOf: URL(fileURLWithPath: h.directory + "/od/catalog.json")))
        let signature = try String(contentsOfFile: h.directory + "/od/catalog.json.sig", encoding: .utf8)
        #expect(
            OpenDataPublisher.verify(catalog: catalog, signatureFile: signature, operatorKey: try VerifierKey(newVKey).publicKey))
        let old = try h.run("publish", "--open-data", "od2", "--key", "old.operator.key")
        #expect(old.status != 0 && old.stderr.contains("not the operator's key in force"), "\(old.stderr)")
    }

    @Test func verifySinceFollowsTheRotationFromACheckpointSignedByEitherKey() throws {
        let h = try CLIHarness()
        try h.appendEvents(2)
        let old = try h.run("checkpoint")
        try old.stdout.write(toFile: h.directory + "/old.note", atomically: true, encoding: .utf8)
        let (rotation, newVKey) = try Self.rotate(h)
        try h.appendEvents(2, from: 3)
        #expect(try h.run("checkpoint").status == 0)
        // Saved before the rotation (signed by the genesis key), the rotation after it.
        let sinceOld = try h.run("verify", "--since", "old.note", "--operator", h.operatorVKey)
        #expect(sinceOld.status == 0, "\(sinceOld.stderr)")

        // Saved after it (signed by the new key), more entries after.
        let new = try h.run("checkpoint")
        #expect(try SignedNote(parsing: new.stdout).signatures.map(\.keyHash) == [try VerifierKey(newVKey).keyHash])
        try new.stdout.write(toFile: h.directory + "/new.note", atomically: true, encoding: .utf8)
        try h.appendEvents(2, from: 5)
        #expect(try h.run("checkpoint").status == 0)
        let sinceNew = try h.json("verify", "--since", "new.note", "--operator", h.operatorVKey)
        #expect(sinceNew["ok"]?.boolValue == true, "\(sinceNew)")
        #expect(sinceNew["newEntries"]?.intValue == 2)
        // The independent Python verifier (FORMAT.md section 10) follows the chain too.
        if let python = CertificateCLITests.python {
            let theirs = try Command.run(
                python, [SchemaCheck.root + "/tools/verify-ledger.py", h.ledger, "--operator", h.operatorVKey])
            #expect(theirs.status == 0, "verify-ledger.py: \(theirs.stdout) \(theirs.stderr)")
        }

        // The old key's note for a size after the rotation is not the operator's.
        let ledger = try Ledger(path: h.ledger)
        let size = try ledger.size()
        let forged = try Checkpoint(origin: Self.origin, size: size, root: try ledger.root(size: size))
            .sign(with: try PrivateKey(contentsOfFile: h.directory + "/old.operator.key"), as: try VerifierKey(h.operatorVKey))
            .encoded
        try forged.write(toFile: h.directory + "/forged.note", atomically: true, encoding: .utf8)
        let refused = try h.run("verify", "--since", "forged.note", "--operator", h.operatorVKey)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("not a checkpoint signed by the operator"), "\(refused.stderr)")
        #expect(rotation < size)
    }
}

/// The certificate holds no rotation entry to forge.
struct NoRotation: Error { let file: String }

/// Certificates rewritten by a forger holding a key of its own but not the operator's.
enum Forgery {
    case signedByStranger, claimsTheOldKey

    /// Replaces the rotation entry of `file` with one naming the forger's key, and its checkpoint
    /// with one that key signs; writes the result to `out`.
    static func write(_ kind: Forgery, of file: String, rotation: UInt64, to out: String, in h: CLIHarness) throws {
        let text = try String(contentsOfFile: h.directory + "/" + file, encoding: .utf8)
        guard case .object(var certificate) = try CanonicalJSON.parse(text), var entries = certificate["entries"]?.arrayValue,
            let at = entries.firstIndex(where: { $0["index"]?.intValue == Int(rotation) }),
            case .object(var item) = entries[at], let base64 = item["entry"]?.stringValue,
            let bytes = Data(base64Encoded: base64)
        else { throw NoRotation(file: file) }
        let real = try Entry(bytes: [UInt8](bytes))
        let forgerKey = try PrivateKey.generate()
        let forgerVKey = try VerifierKey(name: RotationCertificateTests.origin, publicKey: forgerKey.publicKey)
        guard case .object(var event) = real.signed.event else { return }
        event["key"] = .string(forgerVKey.description)
        let stranger = try SignedEvent.sign(.object(event), with: forgerKey, keyName: RotationCertificateTests.origin)
        let signed =
            kind == .signedByStranger
            ? stranger : SignedEvent(event: .object(event), key: real.signed.key, signature: stranger.signature)
        let forged = try Entry(seq: real.seq, recorded: real.recorded, prev: real.prev, signed: signed)
        item["entry"] = .string(Data(forged.bytes).base64EncodedString())
        entries[at] = .object(item)
        certificate["entries"] = .array(entries)
        let checkpoint = try Checkpoint(text: SignedNote(parsing: certificate["checkpoint"]?.stringValue ?? "").text)
        certificate["checkpoint"] = .string(try checkpoint.sign(with: forgerKey, as: forgerVKey).encoded)
        try Data(try CanonicalJSON.encode(.object(certificate))).write(to: URL(fileURLWithPath: h.directory + "/" + out))
    }
}
