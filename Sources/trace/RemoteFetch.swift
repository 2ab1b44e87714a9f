import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Requests to a `trace serve`, with a timeout and retries suited to a rural mobile link.
enum RemoteFetch {
    /// Seconds before one attempt gives up.
    static let timeout: TimeInterval = 20
    /// Attempts, with 1 s and then 3 s between them (or what the server's Retry-After asks).
    static let attempts = 3

    /// The body of `url` as text; a refusal exits 2 and an unreachable server 3, naming `field`.
    static func text(_ url: String, field: String) throws -> String {
        let (status, body) = try send("GET", url, field: field)
        guard status == 200 else {
            // A 4xx will not change on retry; say what the server said.
            throw CLIFailure.input(
                "error: \(field): \(url) answered \(status): \(String(decoding: body.prefix(300), as: UTF8.self))")
        }
        return String(decoding: body, as: UTF8.self)
    }

    /// One request, retried while the network fails, the server errs (5xx) or asks to slow down
    /// (429); any other answer is returned. Retrying a write is safe: resubmitting the same signed
    /// event returns its original entry.
    static func send(_ method: String, _ url: String, body: Data? = nil, headers: [String: String] = [:], field: String) throws
        -> (status: Int, body: Data)
    {
        guard let target = URL(string: url), target.scheme == "http" || target.scheme == "https" else {
            throw CLIFailure.input("error: \(field): \"\(url)\" is not an http(s) URL")
        }
        var lastError = "no answer"
        var wait: TimeInterval = 1
        for attempt in 0..<attempts {
            if attempt > 0 {
                Thread.sleep(forTimeInterval: wait)
                wait = 3
            }
            switch perform(method, target, body: body, headers: headers) {
            case .success(let (status, data, retryAfter)) where status == 429 || status >= 500:
                lastError = "HTTP \(status)"
                if let retryAfter { wait = min(retryAfter, 30) }
                _ = data
            case .success(let (status, data, _)):
                return (status, data)
            case .failure(let error):
                lastError = error.localizedDescription
            }
        }
        // Unreachable, or failing on its side (a full disk's 507 among them): exit 3, never the
        // 2 of bad input, so a script knows to try again rather than fix its input.
        throw CLIFailure(
            status: 3, message: "error: \(field): \(url) did not answer after \(attempts) attempts (\(lastError))")
    }

    /// One attempt, waited for on this thread (the CLI is synchronous).
    private static func perform(_ method: String, _ url: URL, body: Data?, headers: [String: String]) -> Result<
        (Int, Data, TimeInterval?), any Error
    > {
        final class Box: @unchecked Sendable {
            var result: Result<(Int, Data, TimeInterval?), any Error> = .failure(URLError(.unknown))
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        request.setValue("trace-cli", forHTTPHeaderField: "User-Agent")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                box.result = .failure(error)
            } else {
                let http = response as? HTTPURLResponse
                let retryAfter = (http?.value(forHTTPHeaderField: "Retry-After")).flatMap(TimeInterval.init)
                box.result = .success((http?.statusCode ?? 0, data ?? Data(), retryAfter))
            }
            done.signal()
        }.resume()
        done.wait()
        return box.result
    }
}
