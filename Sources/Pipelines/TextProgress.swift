import Foundation

/// A progress bar on stderr for classifying many texts: done/total, texts/s and ETA, redrawn in place at most
/// 10 times a second. Only on a terminal: in pipes and logs it stays quiet (the output is the data).
public final class TextProgress: @unchecked Sendable {
    private let total: Int
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    /// `enabled` defaults to "stderr is a terminal".
    public init(total: Int, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.total = total
        self.enabled = enabled && total > 0
    }

    /// Texts done so far.
    public func update(_ done: Int) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || done == total else { return }
        lastDraw = now
        drawn = true
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + Self.line(done: done, total: total, elapsed: now.timeIntervalSince(start))).utf8))
    }

    /// Ends the redrawn line (call once when done).
    public func finish() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\n".utf8))
        drawn = false
    }

    /// `[████████····] 640/1280 texts  152.3 texts/s  ETA 0:04`
    public static func line(done: Int, total: Int, elapsed: Double) -> String {
        let width = 24
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int(fraction * Double(width))
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Int((Double(total - done) / rate).rounded()) : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        return "[\(bar)] \(done)/\(total) texts  " + String(format: "%.1f texts/s  ETA %d:%02d", rate, eta / 60, eta % 60)
    }
}
