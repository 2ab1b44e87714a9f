public import CanonicalJSON
import Foundation
public import TestSupport
public import TraceCrypto
public import TraceDomain
public import TraceLedger
import TraceLedgerSQLite

/// For tests: a small Long An supply chain: the operator, a cooperative, one member farmer (a person), a
/// rice mill, an exporter, a certifier and a buyer, each with its own key, plus one plot.
public final class ChainFixture {
    public let directory: String
    public let chain: SupplyChain
    public let operatorKey: PrivateKey
    public var keys: [String: PrivateKey] = [:]

    public static let polygon =
        #"{"type":"Polygon","coordinates":[[[106.512301,10.601102],[106.514502,10.601102],[106.514502,10.603203],[106.512301,10.603203],[106.512301,10.601102]]]}"#

    /// Which store the ledger is in.
    public let store: StoreKind

    public init(store: StoreKind = .sqlite) throws {
        directory = try Scratch.directory()
        operatorKey = try PrivateKey.generate()
        self.store = store
        let origin = "longan.trace.example/ledger"
        let ledger = try store.createLedger(origin: origin, operatorKey: operatorKey, in: directory)
        chain = try SupplyChain(ledger: ledger)
        try register("htx-tan-lap", roles: ["cooperative"], name: "Hợp tác xã Tân Lập")
        try register(
            "nong-ho-bay", roles: ["farm"], personal: ["name": "Nguyễn Văn Bảy", "phone": "0909123456"], memberOf: "htx-tan-lap")
        try register("nha-may-xay-xat", roles: ["processor"], name: "Nhà máy xay xát Cần Giuộc")
        try register("vinarice-export", roles: ["exporter"], name: "Công ty TNHH Xuất khẩu Gạo Việt")
        try register("vietgap-cert", roles: ["certifier"], name: "Trung tâm Chứng nhận VietGAP")
        try register("hamburg-foods", roles: ["buyer"], name: "Hamburg Foods GmbH")
        try submit(
            "htx-tan-lap", "plot.register",
            [
                "plot": [
                    "id": "P-001", "farm": "nong-ho-bay", "crop": "lúa", "areaHa": "2.5",
                    "geometry": try PlotGeometry(geojson: Self.polygon).storedJSON,
                ]
            ])
    }

    /// The ledger opened afresh, as another process would: the file again, or the same memory.
    public func reopen() throws -> Ledger {
        switch store {
        case .sqlite: try Ledger(path: directory + "/trace.db")
        case .memory: try Ledger(store: chain.ledger.store)
        }
    }

    public func register(
        _ id: String, roles: [String], name: String? = nil, personal: [String: String] = [:], memberOf: String? = nil
    )
        throws
    {
        let key = try PrivateKey.generate()
        keys[id] = key
        var party: [String: JSONValue] = [
            "id": .string(id), "roles": .array(roles.map { .string($0) }),
            "key": .string(try VerifierKey(name: id, publicKey: key.publicKey).description),
        ]
        // Organisations have addresses; a person's would be personal data in the ledger.
        if personal.isEmpty {
            party["address"] = [
                "province": "Tây Ninh", "commune": "Tân Lập", "asWritten": "xã Tân Lập, huyện Cần Giuộc, tỉnh Long An",
            ]
        }
        if let name { party["name"] = .string(name) }
        var commitments: [(party: String, field: String, commitment: Commitment)] = []
        if !personal.isEmpty {
            var fields: [String: JSONValue] = [:]
            for (field, value) in personal {
                let c = Commitment(value: value)
                fields[field] = .string(c.digest.hex)
                commitments.append((id, field, c))
            }
            party["personal"] = .object(fields)
        }
        if let memberOf { party["memberOf"] = .string(memberOf) }
        let event = SupplyChain.event("party.register", actor: "operator", ["party": .object(party)])
        _ = try chain.submit(
            [try SignedEvent.sign(event, with: operatorKey, keyName: "longan.trace.example/ledger")], personal: commitments)
    }

    /// Signs and submits one event by `actor`; returns its entry number.
    @discardableResult
    public func submit(_ actor: String, _ type: String, _ fields: [String: JSONValue], id: String? = nil, time: String? = nil)
        throws
        -> UInt64
    {
        var event = SupplyChain.event(type, actor: actor, id: id, fields)
        if let time, case .object(var o) = event {
            o["time"] = .string(time)
            event = .object(o)
        }
        let key = actor == "operator" ? operatorKey : keys[actor]!
        return try chain.submit([try chain.sign(event, with: key)])[0].entry.seq
    }

    public func harvest(_ lot: String, _ quantity: String = "1200", unit: String = "kg") throws {
        try submit(
            "htx-tan-lap", "harvest",
            [
                "lot": .string(lot), "product": "Lúa ST25", "quantity": .string(quantity), "unit": .string(unit), "plot": "P-001",
                "harvested": "2026-07-01",
            ])
    }

    public func size() throws -> UInt64 { try chain.ledger.size() }
}
