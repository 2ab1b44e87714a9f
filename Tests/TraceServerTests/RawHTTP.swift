import CanonicalJSON
import Foundation
import Glibc
import TestSupport

/// Bytes sent as they are over one TCP connection, for requests no HTTP client would send (a
/// doubled Content-Length, HTTP/0.9), and the answer read until the server closes.
struct RawHTTP {
    let status: Int
    /// Header names in lower case.
    let headers: [String: String]
    let body: [UInt8]

    func json() throws -> JSONValue { try CanonicalJSON.parse(body) }

    static func send(_ request: [UInt8], to url: String) throws -> RawHTTP {
        guard let port = url.split(separator: ":").last.flatMap({ UInt16($0) }) else { throw ServerFailure(message: url) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerFailure(message: "socket: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ServerFailure(message: "connect: errno \(errno)") }
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // The server may answer and close before it has read everything (an oversized header).
            if n <= 0 { break }
            sent += n
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            answer += buffer[..<n]
        }
        let separator = Array("\r\n\r\n".utf8)
        guard let end = (0..<max(0, answer.count - 3)).first(where: { Array(answer[$0..<($0 + 4)]) == separator }) else {
            throw ServerFailure(message: "no HTTP answer: \(String(decoding: answer, as: UTF8.self).prefix(200))")
        }
        let lines = String(decoding: answer[..<end], as: UTF8.self).split(separator: "\r\n")
        let statusLine = lines.first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw ServerFailure(message: "no status line: \(lines.first ?? "")")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return RawHTTP(status: status, headers: headers, body: Array(answer[(end + 4)...]))
    }
}
