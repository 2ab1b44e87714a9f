import CanonicalJSON
import TraceLedger

extension TraceEvent {
    /// `operator.rotate`: the operator key in force names its successor (docs/RULES.md).
    public struct OperatorRotate: Sendable {
        /// The new operator verifier key, in canonical text.
        public let key: String

        init(_ f: EventFields) throws {
            key = try f.verifierKey(f["key"]?.stringValue, field: "key")
        }
    }
}
