public import CanonicalJSON
import TraceLedger

/// An EPCIS 2.0 simple event query as the REST binding writes it in a URL's query string
/// (`GET /events?EQ_bizStep=shipping&perPage=10`), parsed once: every parameter known, given
/// once, and well formed, or a refusal that names it. Lists are `|`-separated (the binding's
/// `pipeDelimited` style).
public struct EPCISQuery: Sendable, Equatable {
    /// A parameter the query cannot take, and why; the REST binding's `QueryParameterException`.
    public struct Failure: Error, Sendable, Equatable {
        public let parameter: String
        public let message: String
    }

    /// The most events one page holds, and the page size when `perPage` is not given (the binding's default).
    public static let maxPerPage = 1000
    public static let defaultPerPage = 30

    /// The parameters of the binding this query answers; any other is refused, never ignored.
    public static let supported = [
        "eventType", "GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime", "EQ_action", "EQ_bizStep",
        "EQ_disposition", "EQ_readPoint", "EQ_bizLocation", "MATCH_epc", "MATCH_anyEPC", "MATCH_epcClass",
        "MATCH_inputEPCClass", "MATCH_outputEPCClass", "MATCH_anyEPCClass", "EQ_eventID", "perPage", "nextPageToken",
    ]

    public var eventTypes: Set<String>?
    /// `GE_eventTime` and `LT_eventTime`, in milliseconds since 1970.
    public var eventTimeFrom: Int64?
    public var eventTimeBefore: Int64?
    public var recordTimeFrom: Int64?
    public var recordTimeBefore: Int64?
    public var actions: Set<String>?
    /// Bare CBV terms (`shipping`) or the full URIs of other vocabularies.
    public var bizSteps: Set<String>?
    public var dispositions: Set<String>?
    public var readPoints: Set<String>?
    public var bizLocations: Set<String>?
    /// Instance-level identifiers (`epcList`; `MATCH_anyEPC` also the other EPC lists and `parentID`).
    public var epcs: Set<String>?
    public var anyEPCs: Set<String>?
    /// Class-level identifiers: `quantityList` (and `childQuantityList`), inputs, outputs, or any.
    public var epcClasses: Set<String>?
    public var inputEPCClasses: Set<String>?
    public var outputEPCClasses: Set<String>?
    public var anyEPCClasses: Set<String>?
    public var eventIDs: Set<String>?
    public var perPage = defaultPerPage
    /// From `nextPageToken`: only events of ledger entries after this one.
    public var afterEntry: UInt64?

    public init() {}

    /// Parses a query string's parameters (names as sent, values already percent-decoded).
    public init(parameters: [(name: String, value: String)]) throws {
        var seen = Set<String>()
        for (name, value) in parameters {
            guard Self.supported.contains(name) else {
                throw Failure(
                    parameter: name,
                    message:
                        "\(name.prefix(60)) is not a query parameter this server answers; use \(Self.supported.joined(separator: ", "))"
                )
            }
            guard seen.insert(name).inserted else {
                throw Failure(
                    parameter: name, message: "\(name) is given more than once; give it once (lists are separated by |)")
            }
            switch name {
            case "eventType": eventTypes = try Self.list(name, value)
            case "GE_eventTime": eventTimeFrom = try Self.time(name, value)
            case "LT_eventTime": eventTimeBefore = try Self.time(name, value)
            case "GE_recordTime": recordTimeFrom = try Self.time(name, value)
            case "LT_recordTime": recordTimeBefore = try Self.time(name, value)
            case "EQ_action":
                let values = try Self.list(name, value)
                if let bad = values.first(where: { !["ADD", "OBSERVE", "DELETE"].contains($0) }) {
                    throw Failure(parameter: name, message: "\(name): \"\(bad.prefix(40))\" is not ADD, OBSERVE or DELETE")
                }
                actions = values
            case "EQ_bizStep": bizSteps = Set(try Self.list(name, value).map { Self.bare($0, "BizStep", "bizstep") })
            case "EQ_disposition": dispositions = Set(try Self.list(name, value).map { Self.bare($0, "Disp", "disp") })
            case "EQ_readPoint": readPoints = Set(try Self.list(name, value).map(Self.identifier))
            case "EQ_bizLocation": bizLocations = Set(try Self.list(name, value).map(Self.identifier))
            case "MATCH_epc": epcs = Set(try Self.list(name, value).map(Self.identifier))
            case "MATCH_anyEPC": anyEPCs = Set(try Self.list(name, value).map(Self.identifier))
            case "MATCH_epcClass": epcClasses = Set(try Self.list(name, value).map(Self.identifier))
            case "MATCH_inputEPCClass": inputEPCClasses = Set(try Self.list(name, value).map(Self.identifier))
            case "MATCH_outputEPCClass": outputEPCClasses = Set(try Self.list(name, value).map(Self.identifier))
            case "MATCH_anyEPCClass": anyEPCClasses = Set(try Self.list(name, value).map(Self.identifier))
            case "EQ_eventID": eventIDs = try Self.list(name, value)
            case "perPage":
                guard let n = Self.digits(value), (1...Self.maxPerPage).contains(n) else {
                    throw Failure(
                        parameter: name,
                        message: "perPage: \"\(value.prefix(40))\" is not a whole number from 1 to \(Self.maxPerPage)")
                }
                perPage = n
            default:  // nextPageToken
                guard let n = Self.digits(value) else {
                    throw Failure(
                        parameter: name,
                        message: "nextPageToken: \"\(value.prefix(40))\" is not a token this server gave; follow the Link header")
                }
                afterEntry = UInt64(n)
            }
        }
    }

    /// True when `event` (an exported EPCIS event) meets every condition of the query; paging aside.
    public func matches(_ event: JSONValue, recordTime: String?) -> Bool {
        func string(_ key: String) -> String? { event[key]?.stringValue }
        if let eventTypes, !eventTypes.contains(string("type") ?? "") { return false }
        if eventTimeFrom != nil || eventTimeBefore != nil {
            guard let time = string("eventTime").flatMap(Timestamp.parse) else { return false }
            if let eventTimeFrom, time < eventTimeFrom { return false }
            if let eventTimeBefore, time >= eventTimeBefore { return false }
        }
        if recordTimeFrom != nil || recordTimeBefore != nil {
            guard let time = recordTime.flatMap(Timestamp.parse) else { return false }
            if let recordTimeFrom, time < recordTimeFrom { return false }
            if let recordTimeBefore, time >= recordTimeBefore { return false }
        }
        if let actions, !actions.contains(string("action") ?? "") { return false }
        if let bizSteps, !bizSteps.contains(string("bizStep").map { Self.bare($0, "BizStep", "bizstep") } ?? "") {
            return false
        }
        if let dispositions, !dispositions.contains(string("disposition").map { Self.bare($0, "Disp", "disp") } ?? "") {
            return false
        }
        if let readPoints, !readPoints.contains(event["readPoint"]?["id"]?.stringValue.map(Self.identifier) ?? "") {
            return false
        }
        if let bizLocations, !bizLocations.contains(event["bizLocation"]?["id"]?.stringValue.map(Self.identifier) ?? "") {
            return false
        }
        func ids(_ keys: [String]) -> Set<String> {
            Set(
                keys.flatMap { key -> [String] in
                    if let one = event[key]?.stringValue { return [Self.identifier(one)] }
                    return (event[key]?.arrayValue ?? []).compactMap { $0.stringValue.map(Self.identifier) }
                })
        }
        func classes(_ keys: [String]) -> Set<String> {
            Set(keys.flatMap { (event[$0]?.arrayValue ?? []).compactMap { $0["epcClass"]?.stringValue.map(Self.identifier) } })
        }
        if let epcs, epcs.isDisjoint(with: ids(["epcList"])) { return false }
        if let anyEPCs, anyEPCs.isDisjoint(with: ids(["epcList", "childEPCs", "inputEPCList", "outputEPCList", "parentID"])) {
            return false
        }
        if let epcClasses, epcClasses.isDisjoint(with: classes(["quantityList", "childQuantityList"])) { return false }
        if let inputEPCClasses, inputEPCClasses.isDisjoint(with: classes(["inputQuantityList"])) { return false }
        if let outputEPCClasses, outputEPCClasses.isDisjoint(with: classes(["outputQuantityList"])) { return false }
        if let anyEPCClasses,
            anyEPCClasses.isDisjoint(
                with: classes(["quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"]))
        {
            return false
        }
        if let eventIDs, !eventIDs.contains(string("eventID") ?? "") { return false }
        return true
    }

    /// The same query's parameters with the page token set: the `rel="next"` link's query string.
    public func nextPage(after entry: UInt64, parameters: [(name: String, value: String)]) -> [(name: String, value: String)] {
        parameters.filter { $0.name != "nextPageToken" } + [("nextPageToken", String(entry))]
    }

    static func list(_ name: String, _ value: String) throws -> Set<String> {
        let items = value.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard !items.isEmpty, items.allSatisfy({ !$0.isEmpty && $0.count <= 2000 }) else {
            throw Failure(parameter: name, message: "\(name): give one or more values separated by |, none empty")
        }
        return Set(items)
    }

    static func time(_ name: String, _ value: String) throws -> Int64 {
        guard let ms = Timestamp.parse(value) else {
            throw Failure(
                parameter: name,
                message:
                    "\(name): \"\(value.prefix(40))\" is not an RFC 3339 time such as 2026-07-01T00:00:00Z or 2026-07-01T07:00:00+07:00"
            )
        }
        return ms
    }

    /// Plain digits only (no sign, no spaces), at most 18 of them.
    static func digits(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(text)
    }

    /// A CBV term in its bare form, whichever way it was written: `shipping`,
    /// `https://ref.gs1.org/cbv/BizStep-shipping` or `urn:epcglobal:cbv:bizstep:shipping`.
    static func bare(_ value: String, _ web: String, _ urn: String) -> String {
        for prefix in ["https://ref.gs1.org/cbv/\(web)-", "urn:epcglobal:cbv:\(urn):", "cbv:\(web)-"]
        where value.hasPrefix(prefix) {
            return String(value.dropFirst(prefix.count))
        }
        return value
    }

    /// An identifier as the event hash compares them: EPC URNs and GS1 Digital Links on any
    /// domain as the canonical Digital Link; any other URI as written.
    static func identifier(_ value: String) -> String { DigitalLink.canonical(value) ?? value }
}
