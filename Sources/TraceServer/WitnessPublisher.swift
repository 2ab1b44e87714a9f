import Foundation
import Synchronization
import TraceCrypto
import TraceLedger
import TraceLedgerSQLite

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends each new signed checkpoint to the operator's witnesses (C2SP tlog-witness
/// `add-checkpoint`) off the request path, and keeps the cosignatures they return beside the
/// ledger. Appends never wait: checkpoints are queued, and when witnesses are slower than the
/// appends only the newest queued one is sent (a witness cosigning it vouches for all before it).
final class WitnessPublisher: Sendable {
    private let urls: [String]
    private let ledger: Ledger
    let cosigned: CosignedCheckpoints
    private let queue: AsyncStream<String>.Continuation
    /// The note last queued, so a checkpoint re-read on every refresh is sent once.
    private let lastQueued = Mutex<String?>(nil)
    /// The size each witness last cosigned, as far as this server knows (0 until told).
    private let witnessSizes = Mutex<[String: UInt64]>([:])

    init(urls: [String], ledger: Ledger, cosigned: CosignedCheckpoints) {
        self.urls = urls.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.ledger = ledger
        self.cosigned = cosigned
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        queue = continuation
        Task.detached { [self] in
            for await note in stream { await send(note) }
        }
    }

    /// Queues `note` for the witnesses unless it was the last one queued; returns at once.
    func publish(_ note: String) {
        let fresh = lastQueued.withLock { last -> Bool in
            guard last != note else { return false }
            last = note
            return true
        }
        if fresh { queue.yield(note) }
    }

    private func send(_ note: String) async {
        guard let checkpoint = try? Checkpoint(text: SignedNote(parsing: note).text) else { return }
        let lines = await withTaskGroup(of: String?.self) { group in
            for url in urls { group.addTask { await self.cosign(note, checkpoint, at: url) } }
            var lines: [String] = []
            for await answer in group { if let answer { lines.append(answer) } }
            return lines
        }
        guard !lines.isEmpty else { return }
        do { try cosigned.add(lines: lines, to: note) } catch { Self.warn("cannot keep the cosignatures: \(error)") }
    }

    /// One witness's cosignature lines, or nil (the failure is logged). A 409 tells the size the
    /// witness holds: the request is sent once more with a proof from that size.
    private func cosign(_ note: String, _ checkpoint: Checkpoint, at url: String) async -> String? {
        var old = witnessSizes.withLock { $0[url] ?? 0 }
        for attempt in 0..<2 {
            guard old <= checkpoint.size else {
                Self.warn("\(url) has cosigned size \(old), beyond this checkpoint of \(checkpoint.size)")
                return nil
            }
            let proof: [Digest]
            do {
                proof =
                    old == 0 || old == checkpoint.size ? [] : try ledger.consistencyProof(from: old, to: checkpoint.size).hashes
            } catch {
                Self.warn("cannot prove size \(checkpoint.size) extends \(old) for \(url): \(error)")
                return nil
            }
            let body = AddCheckpointRequest(oldSize: old, proof: proof, note: note).body
            guard let (status, answer) = await Self.post(url + "/add-checkpoint", body: body) else {
                Self.warn("\(url) did not answer")
                return nil
            }
            let text = String(decoding: answer, as: UTF8.self)
            switch status {
            case 200:
                witnessSizes.withLock { $0[url] = checkpoint.size }
                return text
            case 409 where attempt == 0:
                guard let size = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
                old = size
                witnessSizes.withLock { $0[url] = size }
            default:
                Self.warn("\(url) refused the checkpoint of size \(checkpoint.size) (HTTP \(status)): \(text.prefix(200))")
                return nil
            }
        }
        return nil
    }

    private static func post(_ url: String, body: String) async -> (Int, Data)? {
        guard let target = URL(string: url) else { return nil }
        var request = URLRequest(url: target, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("trace-serve", forHTTPHeaderField: "User-Agent")
        return await withCheckedContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, _ in
                guard let http = response as? HTTPURLResponse else { return continuation.resume(returning: nil) }
                continuation.resume(returning: (http.statusCode, data ?? Data()))
            }.resume()
        }
    }

    private static func warn(_ message: String) {
        FileHandle.standardError.write(Data("trace serve: witness: \(message)\n".utf8))
    }
}
