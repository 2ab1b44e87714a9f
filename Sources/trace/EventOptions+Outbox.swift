import CanonicalJSON
import Foundation
import TraceClient
import TraceCrypto
import TraceDomain
import TraceLedger

extension EventOptions {
    /// A write to `trace serve`, through the outbox: the event is signed here, kept in the outbox,
    /// sent, and forgotten once the server has answered for it. When the server cannot be reached
    /// (or `--queue` asks) it stays for `trace sync`, and the same command run again resends that
    /// very event (same id, recorded once) instead of making a second one.
    func deliver(_ type: String, _ fields: [String: JSONValue], to remote: RemoteLedger, summary: String) throws -> AppendResult {
        let key = try signingKey(operatorFallback: false)
        let box = Outbox(outbox)
        var offline: CLIFailure?
        let signer: (party: String, keyName: String)
        do {
            signer = try remote.signer(for: key)
            box.cacheSigner(key.publicKey, server: remote.base, party: signer.party, keyName: signer.keyName)
        } catch let error as RemoteError where error.code == .unreachable {
            let failure = CLIFailure.unreachable(CLIFailure.describe(error) ?? error.description)
            guard let cached = box.cachedSigner(key.publicKey, server: remote.base) else {
                throw CLIFailure.unreachable(
                    failure.message + "\n"
                        + L10n.text(
                            "nothing was queued: this key has not yet been used with \(remote.base), so its party is not known here; send one event while online first",
                            "không có gì được xếp hàng: khóa này chưa từng dùng với \(remote.base) nên chưa biết thuộc bên nào; hãy gửi một sự kiện khi có mạng trước"
                        ))
            }
            signer = cached
            offline = failure
        }
        let event = SupplyChain.event(type, actor: signer.party, id: eventID, fields)
        let item: Outbox.Item
        if eventID == nil, let earlier = try box.pending(matching: event, server: remote.base) {
            item = earlier
            Output.note(
                L10n.text(
                    "this write is already waiting in \(box.folder) (queued \(earlier.queued)): sending that one, with its own id",
                    "sự kiện này đã chờ sẵn trong \(box.folder) (từ \(earlier.queued)): gửi lại chính sự kiện đó, cùng mã"))
        } else {
            item = try box.put(
                try SignedEvent.sign(event, with: key, keyName: signer.keyName), server: remote.base, summary: summary)
        }
        let queuedNote = L10n.text(
            "queued in \(box.folder): \(summary); it is not recorded until `trace sync` sends it (running this command again is safe)",
            "đã xếp vào hộp thư chờ \(box.folder): \(summary); chưa được ghi cho đến khi `trace sync` gửi đi (chạy lại lệnh này vẫn an toàn)"
        )
        if let offline { throw CLIFailure.unreachable(offline.message + "\n" + queuedNote) }
        if queue { throw CLIFailure(status: 0, message: queuedNote) }
        do {
            let result = try remote.submit([item.signed])[0]
            box.remove(item)
            return result
        } catch let error as RemoteError where error.code == .unreachable {
            throw CLIFailure.unreachable((CLIFailure.describe(error) ?? error.description) + "\n" + queuedNote)
        } catch {
            // The server answered with a refusal: shown now, so nothing is left to resend.
            box.remove(item)
            throw error
        }
    }
}
