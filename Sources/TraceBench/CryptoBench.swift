import Dispatch
import Foundation
import TraceCrypto
import TraceLedger

/// Ed25519 verification: ours on one core and on all cores, beside `openssl speed` run now.
enum CryptoBench {
    /// Realistic messages: the context and a ~250-byte canonical event, from 8 signers.
    static func sampleChecks() throws -> [SignatureCheck] {
        let keys = try (0..<8).map { _ in try PrivateKey.generate() }
        var checks: [SignatureCheck] = []
        for i in 0..<4096 {
            let event =
                "{\"id\":\"ev-\(i)\",\"lot\":\"LA-ST25-\(i)\",\"plot\":\"plot-\(i % 97)\",\"product\":\"Lúa ST25\",\"quantity\":\"\(1000 + i).5\",\"time\":\"2026-07-01T07:30:00.000+07:00\",\"type\":\"harvest\",\"unit\":\"kg\"}"
            let message = SignedEvent.context + Array(event.utf8)
            let key = keys[i % keys.count]
            checks.append(SignatureCheck(signature: try key.sign(message), message: message, key: key.publicKey))
        }
        return checks
    }

    /// One core's verify rate through `SignatureVerifier` (the rule's byte checks included).
    static func verifierRate(_ backend: Ed25519Backend, checks: [SignatureCheck], seconds: Double) -> Double {
        rate(seconds: seconds) {
            let verifier = SignatureVerifier(backend: backend)
            for c in checks where !verifier.verify(signature: c.signature, message: c.message, key: c.key) {
                fatalError("benchmark signature failed")
            }
            return checks.count
        }
    }

    static func run(_ options: Options) throws {
        let seconds = options.double("seconds", 3)
        let cores = ParallelVerifier.defaultWorkers
        let checks = try sampleChecks()
        let single = verifierRate(.sodium, checks: checks, seconds: seconds)
        let singleOpenSSL = verifierRate(.openssl, checks: checks, seconds: seconds)
        let parallel = rate(seconds: seconds) {
            precondition(ParallelVerifier.firstFailure(checks, workers: cores) == nil)
            return checks.count
        }
        let openssl = opensslVerifyRate(seconds: Int(seconds.rounded()))

        print("### Ed25519 verification (\(cores) cores, \(Int(seconds)) s each)\n")
        print("| measure | verifies/s | ratio |")
        print("|---|---:|---:|")
        if let openssl {
            print("| `openssl speed -seconds \(Int(seconds.rounded())) ed25519`, one core | \(grouped(openssl)) | 1.00 |")
            print(
                "| trace, one core, libcrypto backend | \(grouped(singleOpenSSL)) | \(String(format: "%.2f", singleOpenSSL / openssl)) of OpenSSL |"
            )
            print(
                "| trace, one core, libsodium backend (the default) | \(grouped(single)) | \(String(format: "%.2f", single / openssl)) of OpenSSL |"
            )
        } else {
            print("| `openssl speed` | not available | |")
            print("| trace, one core, libcrypto backend | \(grouped(singleOpenSSL)) | |")
            print("| trace, one core, libsodium backend (the default) | \(grouped(single)) | |")
        }
        print(
            "| trace, all \(cores) cores (`ParallelVerifier`) | \(grouped(parallel)) | \(String(format: "%.2f", parallel / single)) x one core |"
        )
        print("")
    }

    /// Runs `body` repeatedly for about `seconds`; returns items per second.
    static func rate(seconds: Double, _ body: () -> Int) -> Double {
        _ = body()  // warm caches and key tables
        var items = 0
        let start = now()
        var elapsed = 0.0
        repeat {
            items += body()
            elapsed = now() - start
        } while elapsed < seconds
        return Double(items) / elapsed
    }

    /// The verify/s column of `openssl speed ed25519`, or nil if openssl is not there.
    static func opensslVerifyRate(seconds: Int) -> Double? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "speed", "-seconds", String(seconds), "ed25519"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // The summary line: " 253 bits EdDSA (Ed25519)   0.0000s   0.0001s  42716.9  15710.1"
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n")
        where line.contains("Ed25519") && line.contains("bits") {
            let fields = line.split(separator: " ")
            if let last = fields.last, let value = Double(last) { return value }
        }
        return nil
    }
}
