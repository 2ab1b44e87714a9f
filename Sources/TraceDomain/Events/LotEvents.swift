import CanonicalJSON
public import Foundation
import TraceCrypto
import TraceLedger

extension TraceEvent {
    /// One line of a transform or split: a lot and a quantity, with the product of an output.
    public struct Line: Sendable {
        public let lot: LotCode
        public let mass: Mass
        public let product: String?
    }

    /// `harvest`: a new lot from a plot.
    public struct Harvest: Sendable {
        public let lot: LotCode
        public let product: String
        public let mass: Mass
        public let plot: String
        /// The harvest date as written (YYYY-MM-DD or an RFC 3339 time).
        public let harvested: String
        public let harvestedMs: Int64

        init(_ f: EventFields, timeMs: Int64) throws {
            lot = try f.lot("lot", "the new lot's code")
            product = try f.string("product", "what was harvested")
            mass = try Mass(
                try f.string("quantity", "how much"),
                unit: try MassUnit(parsing: try f.string("unit", "kg, t, ..."), field: "unit"), field: "quantity")
            plot = try f.string("plot", "the plot it came from")
            let harvested = try f.string("harvested", "the harvest date")
            guard let day = Timestamp.parse(harvested.count == 10 ? harvested + "T00:00:00Z" : harvested),
                day <= timeMs + 86_400_000
            else {
                throw DomainError(
                    .badTime, "event \(f.id): harvested \(harvested) must be a date (YYYY-MM-DD) not after the event's time")
            }
            self.harvested = harvested
            harvestedMs = day
        }
    }

    /// `transform`: inputs become outputs (drying, milling, sorting, packing).
    public struct Transform: Sendable {
        public let process: String
        public let inputs: [Line]
        public let outputs: [Line]
        /// The most output per input the party claims, as written and as a number.
        public let yieldLimitText: String
        public let yieldLimit: Decimal

        init(_ f: EventFields) throws {
            process = try f.string("process", "drying, milling, sorting, packing, ...")
            inputs = try f.lines("inputs")
            outputs = try f.lines("outputs")
            guard let limitText = f["yieldLimit"]?.stringValue, let limit = Mass.decimal(limitText), limit > 0, limit <= 1
            else {
                throw DomainError(
                    .badInput,
                    "event \(f.id): \"yieldLimit\" \(f["yieldLimit"].map { "\($0)" } ?? "(missing)") must be a decimal in (0, 1], like \"0.7\" for 70%"
                )
            }
            yieldLimitText = limitText
            yieldLimit = limit
        }
    }

    /// `split`: one lot divided into new ones.
    public struct Split: Sendable {
        public let lot: LotCode
        public let outputs: [Line]

        init(_ f: EventFields) throws {
            lot = try f.lot("lot", "the lot to divide")
            outputs = try f.lines("outputs")
        }
    }

    /// `merge`: lots of one product combined whole into a new one. Inputs may be written as bare
    /// lot codes or as {"lot": code}; both read the same here.
    public struct Merge: Sendable {
        public let inputs: [LotCode]
        public let output: LotCode

        init(_ f: EventFields) throws {
            guard let items = f["inputs"]?.arrayValue, items.count >= 2 else {
                throw DomainError(.badInput, "event \(f.id): a merge needs at least two input lots")
            }
            inputs = try items.enumerated().map { i, item in
                try LotCode(item["lot"]?.stringValue ?? item.stringValue ?? "", field: "inputs[\(i)].lot")
            }
            output = try f.lot("output", "the merged lot's code")
        }
    }

    /// `ship`: custody handed to another party, in transit until received.
    public struct Ship: Sendable {
        public let lot: LotCode
        public let to: String

        init(_ f: EventFields) throws {
            lot = try f.lot("lot", "the lot shipped")
            to = try f.string("to", "the receiving party")
        }
    }

    /// `receive`: a shipped lot accepted by the party it was shipped to.
    public struct Receive: Sendable {
        public let lot: LotCode

        init(_ f: EventFields) throws {
            lot = try f.lot("lot", "the lot received")
        }
    }

    /// `certify`: a certification or lab result attached to a lot, by its document's hash.
    public struct Certify: Sendable {
        public let lot: LotCode
        public let scheme: String
        /// The document's SHA-256, in lower-case hex.
        public let documentSHA256: String
        public let reference: String?
        public let validUntil: String?

        init(_ f: EventFields) throws {
            lot = try f.lot("lot", "the lot certified")
            scheme = try f.string("scheme", "VietGAP, GlobalG.A.P., organic, phytosanitary, lab test, ...")
            let document = try f.string("documentSha256", "the SHA-256 of the certificate document")
            guard (try? Digest(hex: document)) != nil else {
                throw DomainError(.badInput, "event \(f.id): documentSha256 \"\(document.prefix(80))\" must be 64 hex digits")
            }
            documentSHA256 = document.lowercased()
            reference = f["reference"]?.stringValue
            validUntil = f["validUntil"]?.stringValue
        }
    }

    /// `export`: the lot leaves the country.
    public struct Export: Sendable {
        public let lot: LotCode
        /// ISO 3166 alpha-2, in capitals.
        public let country: String
        /// A GTIN-14, when the exporter gave one.
        public let gtin: String?
        public let buyer: String
        public let container: String

        init(_ f: EventFields) throws {
            lot = try f.lot("lot", "the lot exported")
            let country = try f.string("country", "the destination country, ISO 3166 alpha-2")
            guard country.utf8.count == 2, country.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) else {
                throw DomainError(
                    .badInput, "event \(f.id): country \"\(country)\" must be an ISO 3166 alpha-2 code in capitals, like DE or US"
                )
            }
            self.country = country
            gtin = try f["gtin"]?.stringValue.map { try GS1.gtin14($0, field: "gtin") }
            buyer = try f.string("buyer", "the buyer")
            container = try f.string("container", "the container number")
        }
    }

    /// `recall`: a suspect lot and everything made from it put on hold.
    public struct Recall: Sendable {
        public let lot: LotCode
        public let reason: String

        init(_ f: EventFields) throws {
            lot = try f.lot("lot", "the suspect lot")
            reason = try f.string("reason", "why the lot is recalled")
        }
    }

    /// `release`: the recalls of a lot lifted.
    public struct Release: Sendable {
        public let lot: LotCode

        init(_ f: EventFields) throws {
            lot = try f.lot("lot", "the recalled lot")
        }
    }

    /// `void`: an earlier entry cancelled by this one.
    public struct Void: Sendable {
        /// The entry voided.
        public let entry: UInt64
        public let reason: String

        init(_ f: EventFields) throws {
            guard let target = f["entry"]?.intValue, target > 0 else {
                throw Self.badEntry(f)
            }
            entry = UInt64(target)
            reason = try f.string("reason", "why the entry is voided")
        }

        static func badEntry(_ f: EventFields) -> DomainError {
            DomainError(
                .badInput,
                "event \(f.id): \"entry\" \(f["entry"].map { "\($0)" } ?? "(missing)") must be the number of an earlier entry")
        }
    }
}
