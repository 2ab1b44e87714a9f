public import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One request to a `trace serve` as a transport sees it.
public struct RemoteRequest: Sendable {
    public let method: String
    public let url: String
    public let body: Data?
    public let headers: [String: String]

    /// A request of `method` to the absolute `url`.
    public init(method: String, url: String, body: Data? = nil, headers: [String: String] = [:]) {
        self.method = method
        self.url = url
        self.body = body
        self.headers = headers
    }
}

/// How requests reach a server: the status and body of the answer, or a thrown `RemoteError`
/// when none came. Tests and offline queues put their own in front of the network's.
public typealias RemoteTransport = @Sendable (RemoteRequest) throws -> (status: Int, body: Data)

/// Requests over the network, with a timeout and retries suited to a rural mobile link.
public enum RemoteFetch {
    /// Seconds before one attempt gives up.
    public static let timeout: TimeInterval = 20
    /// Attempts, with 1 s and then 3 s between them (or what the server's Retry-After asks).
    public static let attempts = 3

    /// One request, retried while the network fails, the server errs (5xx) or asks to slow down
    /// (429); any other answer is returned. Retrying a write is safe: resubmitting the same signed
    /// event returns its original entry.
    @Sendable public static func send(_ request: RemoteRequest) throws -> (status: Int, body: Data) {
        guard let target = URL(string: request.url), target.scheme == "http" || target.scheme == "https" else {
            throw RemoteError(.badURL, "\"\(request.url)\" is not an http(s) URL")
        }
        var lastError = "no answer"
        var wait: TimeInterval = 1
        for attempt in 0..<attempts {
            if attempt > 0 {
                Thread.sleep(forTimeInterval: wait)
                wait = 3
            }
            switch perform(request, target) {
            case .success(let (status, _, retryAfter)) where status == 429 || status >= 500:
                lastError = "HTTP \(status)"
                if let retryAfter { wait = min(retryAfter, 30) }
            case .success(let (status, data, _)):
                return (status, data)
            case .failure(let error):
                lastError = error.localizedDescription
            }
        }
        throw RemoteError(.unreachable, "\(request.url) did not answer after \(attempts) attempts (\(lastError))")
    }

    /// One attempt, waited for on this thread (callers such as the CLI are synchronous).
    private static func perform(_ request: RemoteRequest, _ url: URL) -> Result<(Int, Data, TimeInterval?), any Error> {
        final class Box: @unchecked Sendable {
            // @unchecked Sendable: written once by the session's callback before the semaphore is signalled.
            var result: Result<(Int, Data, TimeInterval?), any Error> = .failure(URLError(.unknown))
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        var urlRequest = URLRequest(url: url, timeoutInterval: timeout)
        urlRequest.httpMethod = request.method
        urlRequest.setValue("trace-cli", forHTTPHeaderField: "User-Agent")
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        if let body = request.body {
            urlRequest.httpBody = body
            urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        URLSession.shared.dataTask(with: urlRequest) { data, response, error in
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
