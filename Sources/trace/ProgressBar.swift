import Foundation

/// A one-line progress bar on standard error, drawn only when it is a terminal and the output
/// is for a person: piped or with --json, nothing is printed.
final class ProgressBar {
    private let enabled: Bool
    private let started = Date()
    private var lastDraw = Date.distantPast
    private let label: String

    init(label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled && isatty(FileHandle.standardError.fileDescriptor) == 1
    }

    /// Redraws at most ten times a second.
    func update(done: UInt64, total: UInt64) {
        guard enabled, total > 0, Date().timeIntervalSince(lastDraw) >= 0.1 || done == total else { return }
        lastDraw = Date()
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        let left = rate > 0 ? Double(total - done) / rate : 0
        let width = 30
        let filled = Int(Double(width) * Double(done) / Double(total))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line =
            "\r\(label) [\(bar)] \(Output.count(done))/\(Output.count(total)) \(Output.count(Int(rate)))/s, \(Int(left.rounded())) s left "
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Clears the line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: 100) + "\r").utf8))
    }
}
