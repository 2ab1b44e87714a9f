import Foundation
import Glibc
import TestSupport
import Testing

/// Slow clients (slowloris): a request whose headers or body arrive a byte at a time is cut off
/// at its limit, however steadily the bytes come.
struct SlowClientTests {
    /// Connects to `url`, sends `start`, then one byte of `trickle` every 100 ms. Returns the
    /// seconds until the server closed the connection, or nil if it was still open after `within`.
    func secondsUntilClosed(_ url: String, start: String, trickle: String, within: Double) throws -> Double? {
        guard let port = url.split(separator: ":").last.flatMap({ UInt16($0) }) else { throw ServerFailure(message: url) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        let started = Date()
        func send(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } >= 0
        }
        func closedByServer() -> Bool {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if n == 0 { return true }
                if n < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
            }
        }
        guard send(Array(start.utf8)) else { return 0 }
        var pending = Array(trickle.utf8)[...]
        while Date().timeIntervalSince(started) < within {
            usleep(100_000)
            if closedByServer() { return Date().timeIntervalSince(started) }
            if let byte = pending.popFirst(), !send([byte]) { return Date().timeIntervalSince(started) }
        }
        return nil
    }

    @Test func headersOrABodyTrickledPastTheirLimitsAreCutOff() throws {
        let f = try ServerFixture(["--header-timeout", "1", "--body-timeout", "2"])
        defer { _ = f.server.stop() }
        let filler = String(repeating: "a", count: 200)
        let headers = try secondsUntilClosed(
            f.server.url, start: "GET /v1/checkpoint HTTP/1.1\r\n", trickle: "Host: 127.0.0.1\r\nX-Slow: " + filler, within: 6)
        #expect(
            headers != nil && headers! < 4, "a request whose headers never finish stayed open: \(String(describing: headers))")
        let body = try secondsUntilClosed(
            f.server.url,
            start: "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n",
            trickle: "{" + filler, within: 6)
        #expect(body != nil && body! < 5, "a body trickled a byte at a time stayed open: \(String(describing: body))")
        // A client at ordinary speed is served as before.
        #expect(try f.get("/v1/checkpoint").status == 200)
    }
}
