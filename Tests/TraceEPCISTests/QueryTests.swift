import CanonicalJSON
import Testing
import TraceEPCIS

/// `EPCISQuery` reads the REST binding's query parameters once: values compare as the standard
/// means them (CBV terms in any of their forms, EPC URNs as their Digital Links), and anything it
/// does not answer is refused naming the parameter.
struct QueryTests {
    /// The export event of a lot with a GTIN, as `EPCISExport` writes it.
    static let exported: JSONValue = [
        "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
        "eventTime": "2026-07-03T08:00:00.000+07:00", "eventTimeZoneOffset": "+07:00",
        "quantityList": [["epcClass": "https://id.gs1.org/01/08935000000014/10/DRY-1"]],
        "readPoint": ["id": "https://id.gs1.org/414/8935000000014"],
    ]

    static func query(_ parameters: [(String, String)]) throws -> EPCISQuery {
        try EPCISQuery(parameters: parameters.map { (name: $0.0, value: $0.1) })
    }

    @Test func classesMatchInTheirURNAndDigitalLinkForms() throws {
        for value in [
            "urn:epc:class:lgtin:8935000.000001.DRY-1", "https://id.gs1.org/01/08935000000014/10/DRY-1",
            "https://example.com/shop/01/8935000000014/10/DRY-1?x=1",
        ] {
            #expect(try Self.query([("MATCH_epcClass", value)]).matches(Self.exported, recordTime: nil), "\(value)")
            #expect(try Self.query([("MATCH_anyEPCClass", value)]).matches(Self.exported, recordTime: nil), "\(value)")
        }
        #expect(
            try !Self.query([("MATCH_epcClass", "urn:epc:class:lgtin:8935000.000001.DRY-2")]).matches(
                Self.exported, recordTime: nil))
        #expect(
            try !Self.query([("MATCH_inputEPCClass", "urn:epc:class:lgtin:8935000.000001.DRY-1")]).matches(
                Self.exported, recordTime: nil))
        #expect(try Self.query([("EQ_readPoint", "urn:epc:id:sgln:8935000.00001.0")]).matches(Self.exported, recordTime: nil))
    }

    @Test func cbvTermsMatchInEveryForm() throws {
        for value in [
            "shipping", "https://ref.gs1.org/cbv/BizStep-shipping", "urn:epcglobal:cbv:bizstep:shipping", "receiving|shipping",
        ] {
            #expect(try Self.query([("EQ_bizStep", value)]).matches(Self.exported, recordTime: nil), "\(value)")
        }
        #expect(try Self.query([("EQ_disposition", "urn:epcglobal:cbv:disp:in_transit")]).matches(Self.exported, recordTime: nil))
        #expect(try !Self.query([("EQ_bizStep", "receiving")]).matches(Self.exported, recordTime: nil))
    }

    @Test func timesCompareAsInstantsWhateverTheirOffset() throws {
        // 08:00 at +07:00 is 01:00 UTC.
        #expect(try Self.query([("GE_eventTime", "2026-07-03T01:00:00Z")]).matches(Self.exported, recordTime: nil))
        #expect(try !Self.query([("LT_eventTime", "2026-07-03T08:00:00+07:00")]).matches(Self.exported, recordTime: nil))
        #expect(try Self.query([("LT_eventTime", "2026-07-03T03:00:01+02:00")]).matches(Self.exported, recordTime: nil))
        // recordTime is the ledger's; an event without one never meets a recordTime condition.
        #expect(try !Self.query([("GE_recordTime", "2000-01-01T00:00:00Z")]).matches(Self.exported, recordTime: nil))
        #expect(
            try Self.query([("GE_recordTime", "2000-01-01T00:00:00Z")]).matches(
                Self.exported, recordTime: "2026-07-03T01:00:00.000Z"))
    }

    @Test func pagingParametersAreParsedStrictly() throws {
        #expect(try Self.query([]).perPage == EPCISQuery.defaultPerPage)
        #expect(try Self.query([("perPage", "1000"), ("nextPageToken", "42")]).afterEntry == 42)
        let next = try Self.query([("perPage", "2")]).nextPage(after: 9, parameters: [("perPage", "2"), ("nextPageToken", "3")])
        #expect(next.map { "\($0.name)=\($0.value)" } == ["perPage=2", "nextPageToken=9"])
    }

    @Test(arguments: [
        ("orderBy", "eventTime", "orderBy"), ("perPage", "-1", "perPage"), ("perPage", "1e3", "perPage"),
        ("nextPageToken", "9999999999999999999", "nextPageToken"), ("EQ_action", "ADD|MOVE", "EQ_action"),
        ("LT_eventTime", "2026-02-30T00:00:00Z", "LT_eventTime"), ("EQ_bizLocation", "", "EQ_bizLocation"),
    ])
    func aParameterItCannotAnswerIsRefusedByName(name: String, value: String, named: String) throws {
        #expect {
            _ = try Self.query([(name, value)])
        } throws: { error in
            guard let failure = error as? EPCISQuery.Failure else { return false }
            return failure.parameter == named && failure.message.contains(named)
        }
    }
}
