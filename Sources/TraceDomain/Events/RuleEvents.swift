import CanonicalJSON
public import Foundation
import TraceLedger

extension TraceEvent {
    /// `rules.crop-cap`: the most a plot of a crop may yield per hectare in a rolling window.
    public struct CropCap: Sendable {
        public let crop: String
        public let kgPerHa: Decimal
        public let windowDays: Int

        init(_ f: EventFields) throws {
            crop = try f.string("crop", "the crop, as plots name it")
            kgPerHa = try f.decimal("kgPerHa", "kilograms per hectare")
            windowDays = try f.integer("windowDays", "the window in days", 1...3660)
        }
    }

    /// `rules.process-cap`: the most output per input of a process (for one product, or any).
    public struct ProcessCap: Sendable {
        public let process: String
        public let yield: Decimal
        public let product: String?

        init(_ f: EventFields) throws {
            process = try f.string("process", "the process, as transforms name it")
            yield = try f.decimal("yield", "the most output per input")
            guard yield <= 1 else {
                throw DomainError(
                    .badInput, "event \(f.id): \"yield\" \(Mass.plain(yield)) must be in (0, 1]: output per kilogram of input")
            }
            product = f["product"]?.stringValue.map(CanonicalJSON.nfc).flatMap { $0.trimmingWhitespace.isEmpty ? nil : $0 }
        }
    }

    /// `rules.require-codes`: exports of a crop to a country need growing-area and packhouse codes.
    public struct RequireCodes: Sendable {
        public let crop: String
        public let destination: String

        init(_ f: EventFields) throws {
            crop = try f.string("crop", "the crop, as plots name it")
            destination = try f.string("destination", "the destination country, ISO 3166-1 alpha-2")
            guard Identifiers.isCountry(destination) else {
                throw DomainError(
                    .badInput, "event \(f.id): destination \"\(destination)\" is not an ISO 3166-1 alpha-2 country code, like CN")
            }
        }
    }

    /// `rules.adopt`: the operator adopts this release's rules from this entry on.
    public struct AdoptRules: Sendable {
        /// How many days a harvest may be dated before it is recorded; nil keeps the current limit.
        public let maxBackdateDays: Int?
        /// The release whose rules are adopted (`YYYY.MM`), as `trace rules adopt` writes it; nil
        /// when not given (the first release's rules).
        public let release: String?

        init(_ f: EventFields) throws {
            release = f["release"]?.stringValue
            maxBackdateDays =
                f["maxBackdateDays"] == nil
                ? nil : try f.integer("maxBackdateDays", "how many days a harvest may be dated before it is recorded", 0...3660)
        }
    }
}
