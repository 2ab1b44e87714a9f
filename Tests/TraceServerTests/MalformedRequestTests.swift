import CanonicalJSON
import Foundation
import TestSupport
import Testing

/// Requests the HTTP parser itself refuses are answered as problem+json, like every other
/// refusal, and the server goes on serving.
struct MalformedRequestTests {
    static let cases: [(name: String, request: String, status: Int, code: String)] = [
        (
            "a doubled Content-Length",
            "POST /v1/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            400, "request.malformed"
        ),
        (
            "a Content-Length that is not a number",
            "POST /v1/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: x2\r\n\r\n{}",
            400, "request.malformed"
        ),
        ("an unknown method", "BREW /v1/checkpoint HTTP/1.1\r\nHost: a\r\n\r\n", 400, "request.malformed"),
        ("an HTTP version that does not exist", "GET /v1/checkpoint HTTP/7.3\r\nHost: a\r\n\r\n", 400, "request.malformed"),
        ("a request line with no version (HTTP/0.9)", "GET /v1/checkpoint\r\n\r\n", 400, "request.malformed"),
        ("a control character in the target", "GET /v1/check\u{01}point HTTP/1.1\r\nHost: a\r\n\r\n", 400, "request.malformed"),
        (
            "a 100 KB header",
            "GET /v1/checkpoint HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n",
            431, "request.headers_too_large"
        ),
        (
            "a 100 KB URL", "GET /v1/checkpoint?x=\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\nHost: a\r\n\r\n",
            431, "request.headers_too_large"
        ),
    ]

    @Test func requestsTheParserRefusesAreAnsweredAsProblemJSON() throws {
        let f = try ServerFixture()
        defer { _ = f.server.stop() }
        for c in Self.cases {
            let reply = try RawHTTP.send(Array(c.request.utf8), to: f.server.url)
            #expect(reply.status == c.status, "\(c.name): \(reply.status)")
            #expect(reply.headers["content-type"] == "application/problem+json", "\(c.name): \(reply.headers)")
            #expect(reply.headers["connection"] == "close", "\(c.name)")
            let problem = try reply.json()
            #expect(problem["code"]?.stringValue == c.code, "\(c.name): \(problem)")
            #expect(problem["status"]?.intValue == c.status, "\(c.name)")
            #expect(problem["detail"]?.stringValue?.isEmpty == false, "\(c.name)")
        }
        // Nothing was written, and the server still answers.
        #expect(try f.ledgerSize() == UInt64(CLIHarness.setupEntries))
        #expect(try f.get("/v1/checkpoint").status == 200)
    }
}
