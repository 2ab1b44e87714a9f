import ArgumentParser
import Foundation
import TraceCrypto
import TraceLedger
import TraceServer

/// `trace witness serve`: a C2SP tlog-witness that cosigns checkpoints extending the last one it saw.
struct WitnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness", abstract: "Run a transparency log witness (C2SP tlog-witness).", subcommands: [Serve.self])

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve", abstract: "Cosign each checkpoint that extends the last one this witness cosigned.",
            discussion: """
                Answers POST /add-checkpoint as C2SP tlog-witness says, with a cosignature/v1 line. The latest \
                checkpoint cosigned for each log is kept in --state, written durably before answering.
                """)
        @Option(help: "The witness's private key file (from `trace keys new --witness`).") var key: String
        @Option(help: "The witness's name, as in its verifier key (name+hash+key).") var name: String
        @Option(
            help:
                "A log's operator verifier key (repeatable); its name is the log's origin. After a rotation give both, old first: once a checkpoint by the new key is cosigned, the old key's are refused."
        ) var log: [String] = []
        @Option(help: "The folder that keeps the latest cosigned checkpoint of each log.") var state: String
        @Option(help: "HOST:PORT to listen on (port 0: any free port; the address is printed).") var listen: String?
        @Option(help: "The port to listen on, when --listen is not given.") var port = 8090
        @Option(help: "The address to listen on, when --listen is not given.") var host = "127.0.0.1"

        func run() throws {
            guard !log.isEmpty else { throw CLIFailure.input("error: --log: name at least one log's operator verifier key") }
            let logs = try log.map { text in
                do { return try VerifierKey(text) } catch let error as CryptoError {
                    throw CLIFailure.input("error: --log: \(error.message)")
                }
            }
            var address = (host: host, port: port)
            if let listen {
                let parts = listen.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (0...65535).contains(port) else {
                    throw CLIFailure.input("error: --listen: \"\(listen)\" is not HOST:PORT")
                }
                address = (String(parts[0]), port)
            }
            let privateKey: PrivateKey
            do { privateKey = try PrivateKey(contentsOfFile: key) } catch let error as CryptoError {
                throw CLIFailure.input("error: --key: \(error.message)")
            }
            let witness: Witness
            do {
                witness = try Witness(name: name, privateKey: privateKey, logs: logs, stateFolder: state)
            } catch let error as CryptoError {
                throw CLIFailure.input("error: --name: \(error.message)")
            }
            FileHandle.standardError.write(Data("trace witness: witness key \(witness.key)\n".utf8))
            try runServer("trace witness") { [address] in
                try await WitnessServer.run(witness, host: address.host, port: address.port) { url in
                    FileHandle.standardOutput.write(Data("trace witness: listening on \(url)\n".utf8))
                }
            }
        }
    }
}
