public import CanonicalJSON

extension PartyRecord {
    /// The party as public JSON: a person's fields appear only as the ledger's salted
    /// commitments, never as clear values.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(id), "person": .bool(isPerson), "roles": .array(roles.map(\.rawValue).sorted().map { .string($0) }),
            "registeredEntry": .number(Double(registeredSeq)),
            "keys": .array(
                keys.map {
                    [
                        "vkey": .string($0.vkey), "fromEntry": .number(Double($0.from)),
                        "untilEntry": $0.until.map { .number(Double($0)) } ?? .null,
                    ]
                }),
        ]
        if let name { o["name"] = .string(name) }
        if !personal.isEmpty { o["commitments"] = .object(personal.mapValues { .string($0) }) }
        if let gln { o["gln"] = .string(gln) }
        if let address { o["address"] = address.json }
        if let memberOf { o["memberOf"] = .string(memberOf) }
        return .object(o)
    }
}
