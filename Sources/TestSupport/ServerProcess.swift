public import Foundation

/// A real `trace serve` process on a loopback port chosen by the system, for tests.
public final class ServerProcess: @unchecked Sendable {
    // @unchecked Sendable: the process handle is set once in init and only signalled afterwards.
    private let process = Process()
    private let outPath: String
    private let errPath: String
    /// The server's base URL, for example http://127.0.0.1:41234.
    public let url: String

    /// Starts `trace serve --port 0 ARGS` in `directory` and waits until it listens.
    public convenience init(_ arguments: [String], directory: String) throws {
        try self.init(command: ["serve", "--port", "0"], arguments, directory: directory)
    }

    /// Starts `trace COMMAND ARGS` (a server that prints "listening on URL") and waits until it listens.
    public init(command: [String], _ arguments: [String], directory: String) throws {
        outPath = directory + "/serve-\(UUID().uuidString).out"
        errPath = outPath + ".err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Command.trace)
        process.arguments = command + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "TRACE_LEDGER")
        env.removeValue(forKey: "TRACE_KEY")
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var found: String?
        while found == nil, Date() < deadline, process.isRunning {
            let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on ") {
                found = text[range.upperBound...].split(separator: "\n").first.map(String.init)
            } else {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            let errors = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            throw ServerFailure(message: "trace serve did not start: \(errors)")
        }
        url = found
    }

    /// What the server wrote to standard output and standard error so far.
    public var stdout: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }
    public var isRunning: Bool { process.isRunning }

    /// Sends `signal` (SIGTERM by default) and waits for the exit; returns the exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// A server that would not start.
public struct ServerFailure: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}
