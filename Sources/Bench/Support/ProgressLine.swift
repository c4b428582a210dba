import Foundation

/// A single self-overwriting progress line on stderr with rate and ETA, at most a few times a second.
struct ProgressLine {
    let label: String
    let total: Int
    private let start = ContinuousClock.now
    private var lastPrint = ContinuousClock.now

    init(label: String, total: Int) {
        self.label = label
        self.total = total
    }

    mutating func update(_ done: Int, force: Bool = false) {
        let now = ContinuousClock.now
        guard total > 0, force || now - lastPrint >= .milliseconds(500) else { return }
        lastPrint = now
        let elapsed = max((now - start).seconds, 1e-9)
        let rate = Double(done) / elapsed
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let line = String(format: "\r[%@] %d/%d  %.0f/s  ETA %.0fs   ", label, done, total, rate, eta)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard total > 0 else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
