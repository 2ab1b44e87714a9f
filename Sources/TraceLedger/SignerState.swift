import Foundation
import Glibc
public import TraceCrypto

/// The operator's own record of the last checkpoint it signed, kept outside the store, beside
/// its key file: a store rolled back (a backup restored, a write-ahead log lost) cannot also roll
/// back what the operator has already signed and published.
///
/// The file holds exactly the signed checkpoint note. It is replaced durably: written to a
/// temporary file, synced, renamed over the old one, and the folder synced.
public struct SignerState: Sendable {
    /// The file.
    public let path: String

    public init(path: String) { self.path = path }

    /// The record that goes with the key file at `keyPath`: the same name with `.checkpoint` in
    /// place of its extension (`trace.operator.key` keeps `trace.operator.checkpoint`).
    public init(besideKey keyPath: String) {
        let base = (keyPath as NSString).pathExtension.isEmpty ? keyPath : (keyPath as NSString).deletingPathExtension
        path = base + ".checkpoint"
    }

    /// The last checkpoint the operator signed, checked against its key; nil when none is recorded yet.
    public func load(operatorKey: VerifierKey) throws -> (checkpoint: Checkpoint, note: String)? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LedgerError(.signerState, "cannot read the operator's last signed checkpoint at \(path)")
        }
        let note = String(decoding: data, as: UTF8.self)
        do {
            return (try Checkpoint.open(note, operatorKey: operatorKey), note)
        } catch let error as LedgerError {
            throw LedgerError(
                .signerState,
                "\(path) does not hold a checkpoint signed by operator key \(operatorKey.name): \(error.message); "
                    + "it belongs to another ledger or was damaged")
        }
    }

    /// The last checkpoint the operator signed, checked against the key of the chain that signs its size.
    public func load(keys: OperatorKeys) throws -> (checkpoint: Checkpoint, note: String)? {
        guard let data = FileManager.default.contents(atPath: path) else {
            return try load(operatorKey: keys.current)
        }
        let note = String(decoding: data, as: UTF8.self)
        guard let size = try? Checkpoint(text: SignedNote(parsing: note).text).size else {
            return try load(operatorKey: keys.current)
        }
        return try load(operatorKey: keys.key(forSize: size))
    }

    /// Replaces the record with `note`, durably: once this returns, the note survives a crash.
    public func save(note: String) throws {
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let temporary = path + ".tmp-\(getpid())"
        func fail(_ what: String) -> LedgerError {
            // A full disk is the store's fault, as it is for the ledger itself (exit 3, HTTP 507).
            if errno == ENOSPC || errno == EDQUOT {
                return LedgerError(
                    .storeFull, "the disk holding \(path) is full; no checkpoint was signed. Free space and run the command again"
                )
            }
            return LedgerError(
                .signerState, "cannot \(what) \(path): \(String(cString: strerror(errno))); no checkpoint was signed")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw fail("write") }
        let bytes = Array(note.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else {
                let error = fail("write")
                close(fd)
                unlink(temporary)
                throw error
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let error = fail("sync")
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = fail("replace")
            unlink(temporary)
            throw error
        }
        // The rename itself must survive a crash too.
        let dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw fail("sync the folder of") }
        defer { close(dir) }
        guard fsync(dir) == 0 else { throw fail("sync the folder of") }
    }
}
