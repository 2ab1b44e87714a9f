import CanonicalJSON
import Foundation
import TestSupport

/// One HTTP exchange, made with curl so the bytes sent are exactly the test's (malformed UTF-8
/// included) and nothing is cached between requests.
struct HTTPReply {
    let status: Int
    /// Header names in lower case.
    let headers: [String: String]
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    func json() throws -> JSONValue { try CanonicalJSON.parse(body) }

    static func send(
        _ method: String, _ url: String, body: [UInt8]? = nil, headers: [String: String] = [:]
    ) throws -> HTTPReply {
        let scratch = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var arguments = ["-s", "-S", "-X", method, "-D", scratch + "/headers", "-o", scratch + "/body", "-w", "%{http_code}"]
        if let body {
            _ = FileManager.default.createFile(atPath: scratch + "/request", contents: Data(body))
            arguments += ["--data-binary", "@" + scratch + "/request"]
            if !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
                arguments += ["-H", "Content-Type: application/json"]
            }
        }
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        let result = try Command.run("curl", arguments + [url])
        guard let status = Int(result.stdout) else { throw ServerFailure(message: "curl failed: \(result.stderr)") }
        var fields: [String: String] = [:]
        let head = (try? String(contentsOfFile: scratch + "/headers", encoding: .utf8)) ?? ""
        for line in head.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let bytes = FileManager.default.contents(atPath: scratch + "/body").map { [UInt8]($0) } ?? []
        return HTTPReply(status: status, headers: fields, body: bytes)
    }
}
