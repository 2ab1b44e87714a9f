import Dispatch
import Synchronization

/// Runs a server from a synchronous command (`trace serve`, `trace witness serve`) and waits until
/// it stops: swift-argument-parser's `run` is synchronous, and a server returns only when it
/// stops. A failure is rethrown as the CLI's error, with its exit status.
func runServer(_ command: String, _ body: @escaping @Sendable () async throws -> Void) throws {
    let failure = Mutex<(any Error)?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await body() } catch { failure.withLock { $0 = error } }
        done.signal()
    }
    done.wait()
    if let error = failure.withLock({ $0 }) {
        throw CLIFailure(
            status: CLIFailure.status(for: error), message: CLIFailure.describe(error) ?? "error: \(command): \(error)")
    }
}
