import Foundation

/// A progress line on stderr: epoch, step, smoothed loss, examples/s and ETA.
///
/// On a terminal the line is redrawn in place (carriage return) at most 10 times a second; when stderr is a file or
/// a pipe (CI logs) it prints a plain line every `logInterval` seconds instead, so logs stay short.
public final class TrainingProgress: @unchecked Sendable {
    private let totalSteps: Int
    private let isTerminal: Bool
    private let logInterval: Double
    private let enabled: Bool
    private var startTime = Date()
    private var lastDraw = Date.distantPast
    private var examples = 0
    private var smoothedLoss: Double?

    public init(totalSteps: Int, enabled: Bool = true, logInterval: Double = 30) {
        self.totalSteps = totalSteps
        self.enabled = enabled
        self.logInterval = logInterval
        isTerminal = isatty(STDERR_FILENO) == 1
    }

    /// Restarts the clock (after loading, or when resuming: examples/s counts this run only).
    public func start() { startTime = Date(); examples = 0 }

    /// Records a finished optimiser step.
    public func step(_ step: Int, epoch: Int, epochs: Int, loss: Float, batchExamples: Int) {
        examples += batchExamples
        // Exponential moving average: the raw per-batch loss is too noisy to read.
        smoothedLoss = smoothedLoss.map { 0.95 * $0 + 0.05 * Double(loss) } ?? Double(loss)
        guard enabled else { return }
        let now = Date()
        let interval = isTerminal ? 0.1 : logInterval
        guard now.timeIntervalSince(lastDraw) >= interval || step == totalSteps else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(startTime)
        let rate = elapsed > 0 ? Double(examples) / elapsed : 0
        let stepsPerSecond = elapsed > 0 ? Double(examples) / Double(max(batchExamples, 1)) / elapsed : 0
        let eta = stepsPerSecond > 0 ? Double(totalSteps - step) / stepsPerSecond : 0
        let fraction = totalSteps > 0 ? Double(step) / Double(totalSteps) : 1
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(
            format: "epoch %d/%d %@ %d/%d loss %.4f  %.1f ex/s  ETA %@",
            epoch, epochs, bar, step, totalSteps, smoothedLoss ?? 0, rate, Self.clock(eta))
        write(isTerminal ? "\r\u{1B}[2K" + line : line + "\n")
    }

    /// A message on its own line (ends a redrawn progress line first).
    public func message(_ text: String) {
        guard enabled else { return }
        write((isTerminal ? "\r\u{1B}[2K" : "") + text + "\n")
    }

    /// Erases a redrawn progress line, so that someone else can print a message on stderr.
    public func clearLine() {
        if enabled && isTerminal { write("\r\u{1B}[2K") }
    }

    /// h:mm:ss or m:ss.
    public static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
            : String(format: "%d:%02d", s / 60, s % 60)
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
