/// A rule refused an event, or input was malformed: a stable code, and a message a clerk can act
/// on that names the field and the value.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable reason; new codes may be added.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let badInput = Code(rawValue: "domain.bad_input")
        public static let unknownParty = Code(rawValue: "domain.unknown_party")
        public static let keyNotValid = Code(rawValue: "domain.key_not_valid")
        public static let roleNotAllowed = Code(rawValue: "domain.role_not_allowed")
        public static let unknownLot = Code(rawValue: "domain.unknown_lot")
        public static let lotExists = Code(rawValue: "domain.lot_exists")
        public static let notCustodian = Code(rawValue: "domain.not_custodian")
        public static let overdrawn = Code(rawValue: "domain.overdrawn")
        public static let yieldExceeded = Code(rawValue: "domain.yield_exceeded")
        public static let notShippedToYou = Code(rawValue: "domain.not_shipped_to_you")
        public static let badTime = Code(rawValue: "domain.bad_time")
        public static let lotNotActive = Code(rawValue: "domain.lot_not_active")
        public static let onHold = Code(rawValue: "domain.on_hold")
        public static let cannotVoid = Code(rawValue: "domain.cannot_void")
        public static let unknownPlot = Code(rawValue: "domain.unknown_plot")
        public static let exists = Code(rawValue: "domain.exists")
        /// What was asked about is not yet covered by a signed checkpoint.
        public static let notCheckpointed = Code(rawValue: "domain.not_checkpointed")
        /// A harvest or transform claims more than the operator's cap allows.
        public static let capExceeded = Code(rawValue: "domain.cap_exceeded")
        /// A transform's process has no operator cap, and the rules are adopted.
        public static let noCap = Code(rawValue: "domain.no_cap")
        /// A plot's declared area does not match its geometry.
        public static let areaMismatch = Code(rawValue: "domain.area_mismatch")
        /// An export the operator requires codes for has a plot or packhouse without one.
        public static let codeMissing = Code(rawValue: "domain.missing_code")
        /// A person's party id is not opaque.
        public static let notOpaque = Code(rawValue: "domain.not_opaque")
        /// A statistics filter would single out fewer farms than the publication threshold.
        public static let tooFewFarms = Code(rawValue: "domain.too_few_farms")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
