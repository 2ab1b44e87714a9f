public import CanonicalJSON
import TraceLedger

/// The one answer a buyer gets about a lot, the same from the page, the CLI, the API and a
/// certificate's live check: verified, recalled, or not verified (and why).
///
/// An inclusion proof cannot prove that no recall exists, so a verdict always says at which
/// checkpoint size the recall status was read, and whether that was a live ledger or only an
/// offline document.
public struct Verdict: Sendable, Equatable {
    /// The three answers.
    public enum State: String, Sendable, Equatable {
        /// Authentic, every rule kept, nothing in its lineage under a recall not released.
        case verified
        /// Authentic, but a lot it came from is under an open recall: do not accept.
        case recalled
        /// The proofs, signatures or rules do not hold, or the lot could not be checked.
        case notVerified = "not_verified"
    }

    /// An open recall that holds the lot.
    public struct Recall: Sendable, Equatable {
        /// The recall's entry number.
        public let entry: UInt64
        /// The lot the recall named (the lot itself, or a lot it was made from).
        public let lot: String
        public let reason: String
        /// The recall event's `time` (RFC 3339).
        public let time: String
        /// The party that recalled it.
        public let actor: String

        public init(entry: UInt64, lot: String, reason: String, time: String, actor: String) {
            self.entry = entry
            self.lot = lot
            self.reason = reason
            self.time = time
            self.actor = actor
        }
    }

    public let state: State
    /// The lot the verdict is about, as the buyer typed it (upper-cased).
    public let lot: String
    /// Why it is not verified, naming the entry when there is one.
    public let failure: Failure?
    /// The open recalls holding the lot, oldest first; empty unless `recalled`.
    public let recalls: [Recall]
    /// The checkpoint size at which the recall status was read.
    public let recallStatusAtSize: UInt64
    /// True when the status was read from an offline document (a certificate), not a live ledger:
    /// recalls made after its checkpoint cannot be known.
    public let offline: Bool
    /// How many entries of the lot's story were proved and replayed.
    public let entriesChecked: Int

    /// What failed, and at which entry.
    public struct Failure: Sendable, Equatable {
        public let entry: UInt64?
        public let reason: String

        public init(entry: UInt64?, reason: String) {
            self.entry = entry
            self.reason = reason
        }
    }

    /// Decides the verdict: any failure of authenticity or rules is `not verified`; otherwise an
    /// open recall is `recalled`; otherwise `verified`. Every caller (CLI, server, certificates)
    /// comes through here, so they cannot disagree.
    public static func decide(
        lot: String, failure: Failure?, recalls: [Recall], statusAtSize: UInt64, offline: Bool = false, entriesChecked: Int = 0
    ) -> Verdict {
        let state: State = failure != nil ? .notVerified : recalls.isEmpty ? .verified : .recalled
        return Verdict(
            state: state, lot: lot.uppercased(), failure: failure,
            recalls: failure == nil ? recalls.sorted { $0.entry < $1.entry } : [], recallStatusAtSize: statusAtSize,
            offline: offline, entriesChecked: entriesChecked)
    }

    /// The verdict of a buyer's check of one lot.
    public static func decide(lot: String, verification: LotVerification, offline: Bool = false) -> Verdict {
        decide(
            lot: lot, failure: verification.failure.map { Failure(entry: $0.entry, reason: $0.reason) },
            recalls: verification.recalls, statusAtSize: verification.checkpoint.size, offline: offline,
            entriesChecked: verification.entries.count)
    }

    /// The process exit code a CLI gives for this verdict: 0 only for `verified`, so a script that
    /// gates on exit 0 never accepts a recalled lot.
    public var exitCode: Int32 { state == .verified ? 0 : 1 }

    /// The verdict as `--json` and the lot API print it (stable field names).
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "verdict": .string(state.rawValue), "lot": .string(lot),
            "recallStatusAtSize": .number(Double(recallStatusAtSize)), "offline": .bool(offline),
            "entriesChecked": .number(Double(entriesChecked)),
            "recalls": .array(
                recalls.map {
                    [
                        "entry": .number(Double($0.entry)), "lot": .string($0.lot), "reason": .string($0.reason),
                        "time": .string($0.time), "by": .string($0.actor),
                    ]
                }),
        ]
        if let failure {
            o["failure"] = ["entry": failure.entry.map { .number(Double($0)) } ?? .null, "reason": .string(failure.reason)]
        }
        if offline { o["note"] = .string(offlineNote(vietnamese: false)) }
        return .object(o)
    }

    /// The headline a person reads: `VERIFIED`, `RECALLED` or `NOT VERIFIED`, in Vietnamese or English.
    public func headline(vietnamese: Bool) -> String {
        switch state {
        case .verified: vietnamese ? "ĐÃ XÁC MINH" : "VERIFIED"
        case .recalled: vietnamese ? "ĐANG BỊ THU HỒI: KHÔNG NHẬN LÔ NÀY" : "RECALLED: DO NOT ACCEPT"
        case .notVerified: vietnamese ? "CHƯA XÁC MINH ĐƯỢC" : "NOT VERIFIED"
        }
    }

    /// One line per open recall: when, by whom, which lot it started from, and why.
    public func recallLines(vietnamese: Bool, date: (String) -> String = { String($0.prefix(10)) }) -> [String] {
        recalls.map { r in
            let from =
                r.lot.uppercased() == lot ? "" : (vietnamese ? " (thu hồi từ lô \(r.lot))" : " (recalled from lot \(r.lot))")
            return vietnamese
                ? "Thu hồi ngày \(date(r.time)) bởi \(r.actor)\(from): \(r.reason) (bút toán \(r.entry))"
                : "Recalled on \(date(r.time)) by \(r.actor)\(from): \(r.reason) (entry \(r.entry))"
        }
    }

    /// What a verdict can and cannot know about recalls.
    public func offlineNote(vietnamese: Bool) -> String {
        offline
            ? (vietnamese
                ? "Kiểm tra ngoại tuyến chỉ nói được đến điểm kiểm tra \(recallStatusAtSize) bút toán của chứng thư: không thể biết các lệnh thu hồi ghi sau đó. Hãy kiểm tra với sổ cái (--server hoặc --ledger)."
                : "An offline check speaks only for the certificate's checkpoint of \(recallStatusAtSize) entries: it cannot know of recalls recorded after it. Check against the ledger (--server or --ledger).")
            : (vietnamese
                ? "Tình trạng thu hồi đọc tại điểm kiểm tra \(recallStatusAtSize) bút toán."
                : "Recall status read at the checkpoint of \(recallStatusAtSize) entries.")
    }
}
