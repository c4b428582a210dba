import Foundation

/// SIGSTOP that returns only once the process is stopped. `kill` returns before the target's threads
/// have stopped, and a peer that connects in between can still be answered: a test that froze a
/// server and then saw a connect to it succeed was seeing that window, not the product.
enum ProcessFreezer {
    static func freeze(_ pid: pid_t) {
        kill(pid, SIGSTOP)
        // A generous bound only against a process that is gone; a stop normally shows within milliseconds.
        for _ in 0..<5_000 where !isStopped(pid) { usleep(2_000) }
    }

    /// The state letter in `/proc/<pid>/stat` is `T` for a stopped process (after the `)` that ends
    /// the command name, which may itself hold spaces).
    static func isStopped(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first == "T"
    }
}
