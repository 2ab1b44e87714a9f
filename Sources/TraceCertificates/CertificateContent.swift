public import CanonicalJSON
import Foundation
public import TraceDomain
public import TraceLedger

/// What a verified certificate says, read from its own replayed entries (never from anything
/// the file merely claims): the lot, where it came from, who handled it, what certifies it.
public struct CertificateContent: Sendable {
    /// The replayed state of the certificate's entries.
    public let state: DomainState
    /// The checkpoint every entry was proved against.
    public let checkpoint: Checkpoint
    /// The certificate's lot.
    public let lot: LotRecord
    /// The exporter who issued it.
    public let exporter: PartyRecord
    /// Disclosed personal values that opened their commitments: party id, then field, to value.
    public let disclosed: [String: [String: String]]
    /// Each entry's event and its recorded time, by entry number.
    public let events: [UInt64: (event: TraceEvent, recorded: String)]
    /// The day the exporter signed the certificate, when the file says (signed with the rest).
    public var issued: String?

    /// One harvest the lot came from.
    public struct Origin: Sendable {
        public let lot: LotRecord
        public let plot: PlotRecord
        public let farm: PartyRecord?
        public let cooperative: PartyRecord?
    }

    /// One step of the lot's history.
    public struct Step: Sendable {
        public let entry: UInt64
        public let type: String
        public let actor: String
        public let time: String
        public let lots: [String]
    }

    /// The lot and every lot it was made from, the lot first.
    public var lineage: [LotRecord] {
        var out: [LotRecord] = []
        var seen: Set<String> = []
        var queue = [lot.code.key]
        while !queue.isEmpty {
            let key = queue.removeFirst()
            guard seen.insert(key).inserted, let record = state.lots[key] else { continue }
            out.append(record)
            queue.append(contentsOf: record.parents)
        }
        return out
    }

    /// The harvests at the root of the lineage, in lot-code order.
    public var origins: [Origin] {
        lineage.filter { $0.parents.isEmpty }.compactMap { lot in
            guard let plot = lot.plot.flatMap({ state.plots[$0] }) else { return nil }
            return Origin(lot: lot, plot: plot, farm: state.parties[plot.farm], cooperative: state.parties[plot.cooperative])
        }.sorted { $0.lot.code.text < $1.lot.code.text }
    }

    /// The origin plots, each once.
    public var plots: [PlotRecord] {
        var seen: Set<String> = []
        return origins.map(\.plot).filter { seen.insert($0.id).inserted }
    }

    /// Certifications on any lot of the lineage, not voided, in entry order.
    public var certifications: [(lot: LotRecord, certification: Certification)] {
        lineage.flatMap { lot in lot.certifications.filter { !$0.voided }.map { (lot, $0) } }.sorted {
            $0.certification.seq < $1.certification.seq
        }
    }

    /// Every event on the lineage's lots, from the first harvest to the export.
    public var timeline: [Step] {
        let keys = Set(lineage.map(\.code.key))
        let seqs = Set(lineage.flatMap(\.entries)).sorted()
        return seqs.compactMap { seq in
            guard let (event, _) = events[seq] else { return nil }
            return Step(
                entry: seq, type: event.type, actor: event.actor, time: event.time,
                lots: event.lots.filter { keys.contains($0.key) }.map(\.text))
        }
    }

    /// True when a certification's validity ended before the lot was exported (dates compared as
    /// YYYY-MM-DD; a certification without an end date never expires).
    public func expiredAtExport(_ certification: Certification) -> Bool {
        guard let until = certification.validUntil, let export = lot.export,
            let time = events[export.seq]?.event.time
        else { return false }
        return until.prefix(10) < time.prefix(10)
    }

    /// An organisation's name, a person's disclosed name, or a placeholder saying it was not disclosed.
    public func name(of id: String) -> String {
        if let name = state.parties[id]?.name { return name }
        if let name = disclosed[id]?["name"] { return name }
        return state.parties[id] == nil ? id : "(\(id): name not disclosed)"
    }

    /// A person's disclosed name, or nil.
    public func disclosedName(of id: String) -> String? { disclosed[id]?["name"] }

    /// The buyer the export names, if the lot was exported.
    public var buyer: String? { lot.export?.buyer }
}
