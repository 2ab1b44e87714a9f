import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Plain GETs against a `trace serve`, with a timeout and retries suited to a rural mobile link.
enum RemoteFetch {
    /// Seconds before one attempt gives up.
    static let timeout: TimeInterval = 20
    /// Attempts, with 1 s and then 3 s between them.
    static let attempts = 3

    /// The body of `url` as text; a refusal or an unreachable server exits 2 naming `field`.
    static func text(_ url: String, field: String) throws -> String {
        guard let target = URL(string: url), target.scheme == "http" || target.scheme == "https" else {
            throw CLIFailure.input("error: \(field): \"\(url)\" is not an http(s) URL")
        }
        var lastError = "no answer"
        for attempt in 0..<attempts {
            if attempt > 0 { Thread.sleep(forTimeInterval: attempt == 1 ? 1 : 3) }
            let result = get(target)
            switch result {
            case .success(let (status, body)) where status == 200:
                return String(decoding: body, as: UTF8.self)
            case .success(let (status, body)):
                // A 4xx will not change on retry; say what the server said.
                let detail = String(decoding: body.prefix(300), as: UTF8.self)
                if (400..<500).contains(status) {
                    throw CLIFailure.input("error: \(field): \(url) answered \(status): \(detail)")
                }
                lastError = "HTTP \(status)"
            case .failure(let error):
                lastError = error.localizedDescription
            }
        }
        throw CLIFailure.input("error: \(field): \(url) did not answer after \(attempts) attempts (\(lastError))")
    }

    /// One attempt, waited for on this thread (the CLI is synchronous).
    private static func get(_ url: URL) -> Result<(Int, Data), any Error> {
        final class Box: @unchecked Sendable { var result: Result<(Int, Data), any Error> = .failure(URLError(.unknown)) }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.setValue("trace-cli", forHTTPHeaderField: "User-Agent")
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                box.result = .failure(error)
            } else {
                box.result = .success(((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
            }
            done.signal()
        }.resume()
        done.wait()
        return box.result
    }
}
