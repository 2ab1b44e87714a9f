import CanonicalJSON

/// A Vietnamese address as data: province, then commune or ward (two levels since 1 July 2025).
/// Nothing is hard-coded: a province is whatever the record says. An address written before the
/// 2025 reorganisation can be kept as it was written, beside today's province and commune.
public struct Address: Sendable, Equatable, Codable {
    public let province: String
    public let commune: String
    /// The address as originally written (for example "xã Tân Lập, huyện Cần Giuộc, tỉnh Long An").
    public let asWritten: String?

    public init(province: String, commune: String, asWritten: String? = nil) throws {
        let p = CanonicalJSON.nfc(province).trimmingWhitespace
        let c = CanonicalJSON.nfc(commune).trimmingWhitespace
        guard !p.isEmpty else { throw DomainError(.badInput, "--province: the province cannot be empty") }
        guard !c.isEmpty else { throw DomainError(.badInput, "--commune: the commune or ward cannot be empty") }
        self.province = p
        self.commune = c
        self.asWritten = asWritten.map { CanonicalJSON.nfc($0).trimmingWhitespace }.flatMap { $0.isEmpty ? nil : $0 }
    }

    var json: JSONValue {
        var o: [String: JSONValue] = ["province": .string(province), "commune": .string(commune)]
        if let asWritten { o["asWritten"] = .string(asWritten) }
        return .object(o)
    }

    init(json: JSONValue?, field: String) throws {
        guard let o = json?.objectValue, let p = o["province"]?.stringValue, let c = o["commune"]?.stringValue else {
            throw DomainError(.badInput, "\(field): an address needs \"province\" and \"commune\"")
        }
        try self.init(province: p, commune: c, asWritten: o["asWritten"]?.stringValue)
    }

    /// "Tân Lập, Tây Ninh".
    public var line: String { "\(commune), \(province)" }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
