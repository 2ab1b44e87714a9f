import ArgumentParser
import Foundation
import TraceLedger
import TraceServer

/// `trace serve --port P`: the HTTP API and the buyer's web page over one ledger.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the HTTP API and the buyer's web page for this ledger.",
        discussion: """
            Writes take events the parties signed themselves (the server holds no party key). With the operator key \
            (--key, $TRACE_KEY, or the key `trace init` wrote beside the ledger) the server signs a checkpoint after \
            each write, so every answer carries an inclusion proof. SIGTERM or SIGINT stops it cleanly.
            """)
    @OptionGroup var options: LedgerOptions
    @Option(help: "The port to listen on (0: any free port; the address is printed).") var port = 8080
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(name: .customLong("public-url"), help: "The base URL buyers reach this server at, for GS1 Digital Links.")
    var publicURL: String?
    @Option(help: "The operator's private key file, to sign a checkpoint after each write.") var key: String?
    @Option(name: .customLong("max-body"), help: "The largest request body accepted, in bytes.") var maxBody = 1 << 20
    @Option(name: .customLong("write-rate"), help: "Writes per second allowed to one client address.") var writeRate = 20.0
    @Option(name: .customLong("write-burst"), help: "Writes one client may send at once above that rate.") var writeBurst = 100
    @Option(name: .customLong("header-timeout"), help: "Seconds a client has to send a request's headers.")
    var headerTimeout = 10.0
    @Option(name: .customLong("body-timeout"), help: "Seconds a client has to send a request's body after its headers.")
    var bodyTimeout = 30.0
    @Option(
        name: .customLong("witness-url"),
        help: "A witness (C2SP tlog-witness URL prefix) to send each new checkpoint to for cosigning (repeatable).")
    var witnessURLs: [String] = []
    @Option(
        name: .customLong("witness-vkey"),
        help: "A witness's verifier key the buyer's page embeds, for the browser to check its cosignature (repeatable).")
    var witnessKeys: [String] = []
    @Flag(
        name: .customLong("read-only"),
        help: "Serve reads only (a replica, such as a PostgreSQL hot standby): sign nothing, refuse every write.")
    var readOnly = false
    @Option(help: "With --read-only: the primary server's URL, named in every refused write.") var primary: String?
    @Option(
        name: .customLong("primary-interval"),
        help: "With --primary: seconds between looks at the primary's signed checkpoint, to report this replica's lag.")
    var primaryInterval = 15.0

    func run() throws {
        var configuration = ServerConfiguration(ledgerPath: options.path)
        configuration.port = port
        configuration.host = host
        configuration.publicURL = publicURL
        configuration.operatorKeyPath = try options.signingKey(key, fallback: options.defaultOperatorKeyPath)?.path
        configuration.signedCheckpointPath =
            SignerState(
                besideKey: configuration.operatorKeyPath ?? key ?? ProcessInfo.processInfo.environment["TRACE_KEY"]
                    ?? options.defaultOperatorKeyPath
            ).path
        configuration.maxBodyBytes = maxBody
        configuration.writesPerSecond = writeRate
        configuration.writeBurst = writeBurst
        guard headerTimeout > 0, headerTimeout <= 3600, bodyTimeout > 0, bodyTimeout <= 3600 else {
            throw CLIFailure.input("error: --header-timeout, --body-timeout: give seconds above 0 and at most 3600")
        }
        configuration.headerTimeout = headerTimeout
        configuration.bodyTimeout = bodyTimeout
        for url in witnessURLs where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw CLIFailure.input("error: --witness-url: \"\(url)\" is not an http(s) URL")
        }
        configuration.witnessURLs = witnessURLs
        for key in witnessKeys where (try? CosignerKey(key)) == nil {
            throw CLIFailure.input(
                "error: --witness-vkey: \"\(key.prefix(120))\" is not a witness verifier key (name+hash+key, type 4)")
        }
        configuration.witnessKeys = witnessKeys
        guard primary == nil || readOnly else { throw CLIFailure.input("error: --primary: give it with --read-only") }
        configuration.readOnly = readOnly
        configuration.primaryURL = primary
        guard primaryInterval >= 0.1, primaryInterval <= 3600 else {
            throw CLIFailure.input("error: --primary-interval: give seconds from 0.1 to 3600, not \(primaryInterval)")
        }
        configuration.primaryCheckInterval = primaryInterval
        guard (0...65535).contains(port) else { throw CLIFailure.input("error: --port: \(port) is not a port number") }
        try runServer("trace serve") { [configuration] in
            try await TraceServer.run(configuration) { address in
                // Unbuffered: a test or a supervisor waits for this line to connect.
                FileHandle.standardOutput.write(Data("trace serve: listening on \(address)\n".utf8))
            }
        }
        print("trace serve: stopped")
    }
}
