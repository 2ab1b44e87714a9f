/// What a party does in the chain; the rules allow each event to some roles only.
public enum Role: String, Sendable, CaseIterable, Codable {
    case `operator`, cooperative, farm, processor, exporter, certifier, buyer

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
