/// What a party does in the chain; the rules allow each event to some roles only.
public enum Role: String, Sendable, CaseIterable, Codable {
    case `operator`, cooperative, farm, processor, exporter, certifier, buyer

    /// One bit per role, for testing a party's roles against those an event needs without hashing.
    var bit: UInt8 {
        switch self {
        case .operator: 1
        case .cooperative: 2
        case .farm: 4
        case .processor: 8
        case .exporter: 16
        case .certifier: 32
        case .buyer: 64
        }
    }

    /// The bits of `roles`.
    static func bits(_ roles: Set<Role>) -> UInt8 { roles.reduce(0) { $0 | $1.bit } }

    /// Parses a role name, naming the field on failure.
    public init(parsing text: String, field: String = "--role") throws {
        guard let role = Role(rawValue: text.lowercased()), role != .operator else {
            throw DomainError(
                .badInput,
                "\(field): unknown role \"\(text)\"; use cooperative, farm, processor, exporter, certifier or buyer")
        }
        self = role
    }
}
