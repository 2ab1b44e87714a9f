import Foundation

/// The operator's checkpoints with the witnesses' cosignatures, kept beside the ledger (the
/// store's checkpoints are append-only, and cosignatures arrive after a checkpoint is stored):
/// one file per tree size holding the note with every cosignature line gathered so far, each
/// replaced durably. The folder is `LEDGER.cosigned` unless told otherwise.
public struct CosignedCheckpoints: Sendable {
    /// The folder.
    public let folder: String

    public init(folder: String) { self.folder = folder }

    /// The folder that goes with the ledger file at `ledgerPath`.
    public init(besideLedger ledgerPath: String) { folder = ledgerPath + ".cosigned" }

    private func path(_ size: UInt64) -> String { folder + "/\(size).note" }

    /// The cosigned note of this size, or nil.
    public func note(size: UInt64) -> String? {
        FileManager.default.contents(atPath: path(size)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Every cosigned note kept, smallest size first.
    public func all() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.compactMap { name -> UInt64? in
            guard name.hasSuffix(".note") else { return nil }
            return UInt64(name.dropLast(5))
        }.sorted().compactMap { note(size: $0) }
    }

    /// `note` with the cosignatures kept for the same checkpoint, when the kept one has this text.
    public func withCosignatures(_ note: String) -> String {
        guard let signed = try? SignedNote(parsing: note), let checkpoint = try? Checkpoint(text: signed.text),
            let kept = self.note(size: checkpoint.size), let keptNote = try? SignedNote(parsing: kept),
            keptNote.text == signed.text,
            let merged = try? signed.adding(
                lines: keptNote.encoded.split(separator: "\n").filter { $0.hasPrefix("\u{2014} ") }.map { $0 + "\n" })
        else { return note }
        return merged.encoded
    }

    /// Adds `lines` (cosignature lines) to the kept note of `note`'s checkpoint, durably.
    @discardableResult
    public func add(lines: [String], to note: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let merged = try SignedNote(parsing: withCosignatures(note)).adding(lines: lines).encoded
        let checkpoint = try Checkpoint(text: try SignedNote(parsing: note).text)
        try SignerState(path: path(checkpoint.size)).save(note: merged)
        return merged
    }
}
