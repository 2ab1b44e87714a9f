import ArgumentParser
import CanonicalJSON
import Foundation
import TraceClient
import TraceLedger

/// `trace sync`: sends what the outbox holds, oldest first, and reports each answer. A refused
/// event moves to the outbox's `refused/` folder with the server's reason; an unreachable server
/// stops the run (exit 3) with everything not yet sent still waiting.
struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: L10n.helpText("Send the writes queued while the server could not be reached, and report each answer."))
    @Option(help: L10n.help("The outbox folder (default: $TRACE_OUTBOX, else ./trace-outbox).")) var outbox: String?
    @Option(help: L10n.help("The server to send to (default: the one each queued event was meant for).")) var server: String?
    @Flag(help: L10n.help("Print one JSON document instead of text.")) var json = false

    func run() throws {
        let box = Outbox(outbox)
        let items = try box.waiting()
        var report: [JSONValue] = []
        var refused = 0
        var unreachable: CLIFailure?
        for item in items {
            let remote = RemoteLedger(server ?? item.server)
            do {
                let result = try remote.submit([item.signed])[0]
                box.remove(item)
                report.append([
                    "eventId": .string(item.signed.id), "summary": .string(item.summary),
                    "entry": .number(Double(result.entry.seq)),
                    "duplicate": .bool(result.duplicate), "answer": "recorded",
                ])
                if !json {
                    print(
                        L10n.text(
                            "sent: \(item.summary): entry \(result.entry.seq)\(result.duplicate ? " (already recorded)" : "")",
                            "đã gửi: \(item.summary): mục \(result.entry.seq)\(result.duplicate ? " (đã có từ trước)" : "")"))
                }
            } catch let error as RemoteError where error.code == .unreachable {
                unreachable = CLIFailure.unreachable(CLIFailure.describe(error) ?? error.description)
                break
            } catch let error as RemoteError where error.code == .refused {
                refused += 1
                let reason = L10n.lines(CLIFailure.describe(error) ?? error.description)
                try box.refuse(item, reason: reason)
                report.append([
                    "eventId": .string(item.signed.id), "summary": .string(item.summary), "answer": "refused",
                    "reason": .string(reason),
                ])
                if !json { print(L10n.text("refused: \(item.summary): \(reason)", "bị từ chối: \(item.summary): \(reason)")) }
            }
        }
        let waiting = try box.waiting().count
        if json {
            try Output.json([
                "results": .array(report), "waiting": .number(Double(waiting)), "refused": .number(Double(refused)),
                "reachable": .bool(unreachable == nil),
            ])
        } else if items.isEmpty {
            print(
                L10n.text(
                    "the outbox \(box.folder) is empty: nothing to send", "hộp thư chờ \(box.folder) trống: không có gì để gửi"))
        }
        let refusedNote = L10n.text(
            "\(refused) refused: kept with the server's reason in \(box.refusedFolder); correct and record them again",
            "\(refused) sự kiện bị từ chối: đã lưu kèm lý do trong \(box.refusedFolder); hãy sửa và ghi lại")
        if let unreachable {
            throw CLIFailure.unreachable(
                unreachable.message + (refused > 0 ? "\n" + refusedNote : "") + "\n"
                    + L10n.text(
                        "\(waiting) still waiting in \(box.folder); run `trace sync` again when the network is back",
                        "còn \(waiting) sự kiện chờ trong \(box.folder); chạy lại `trace sync` khi có mạng"))
        }
        if refused > 0 { throw CLIFailure(status: 2, message: refusedNote) }
    }
}
