import Foundation
import Testing

/// Every task in `Sources/` is a child of a task group (or `async let`): work never outlives the
/// call that started it, so shutdown, deadlines and cancellation reach it. This fails on each
/// unstructured task — `Task {`, `Task(`, `Task.init`, `Task.detached` or a stored `Task<…>`
/// handle — naming file and line. No I/O but reading sources.
@Suite("Structured concurrency only")
struct StructuredConcurrencyTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Files that may create unstructured tasks: none. An entry needs a reason written beside it.
    static let allowed: Set<String> = []

    /// `Task` as a type or initialiser, not as part of a longer name (`addTask`, `scheduleTask`)
    /// nor its static members that create nothing (`Task.sleep`, `Task.isCancelled`).
    static let pattern = try! NSRegularExpression(
        pattern: #"(?<![A-Za-z0-9_.])Task\s*(\{|\(|<|\.init\b|\.detached\b)"#)

    /// Lines (1-based) of `text` that create or store an unstructured task, comments ignored.
    static func offendingLines(in text: String) -> [Int] {
        var lines: [Int] = []
        var inBlockComment = false
        for (index, rawLine) in text.components(separatedBy: "\n").enumerated() {
            var line = Substring(rawLine)
            var code = ""
            // Drops /* … */ (possibly spanning lines) and // comments; a "//" inside a string only
            // hides the rest of its line, which can miss an offence but never invent one.
            while !line.isEmpty {
                if inBlockComment {
                    guard let end = line.range(of: "*/") else { line = ""; break }
                    line = line[end.upperBound...]
                    inBlockComment = false
                } else if let start = line.range(of: "/*"), line.range(of: "//").map({ $0.lowerBound > start.lowerBound }) ?? true {
                    code += line[..<start.lowerBound]
                    line = line[start.upperBound...]
                    inBlockComment = true
                } else {
                    code += line.range(of: "//").map { line[..<$0.lowerBound] } ?? line
                    line = ""
                }
            }
            if pattern.firstMatch(in: code, range: NSRange(code.startIndex..., in: code)) != nil {
                lines.append(index + 1)
            }
        }
        return lines
    }

    @Test("the scanner finds each form of unstructured task and ignores structured ones and comments")
    func scannerFindsEachForm() {
        let sample = """
            let timer = Task {
            group.addTask { await work() }
            // Task { in a comment }
            Task.detached { }
            private var renewal: Task<Void, Never>?
            try await Task.sleep(for: .seconds(1)); if Task.isCancelled { return }
            let t = Task(priority: .high) { }
            /* Task {
               Task { */ async let x = work()
            context.eventLoop.scheduleTask(in: timeout) { }
            let made = Task.init { }
            """
        #expect(Self.offendingLines(in: sample) == [1, 4, 5, 7, 11])
    }

    @Test("Sources/ creates no unstructured task outside the allow-list")
    func sourcesUseStructuredConcurrency() throws {
        let root = Self.repository.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
        var offenders: [String] = []
        var scanned = 0
        for case let file as URL in files where file.pathExtension == "swift" {
            scanned += 1
            let path = file.path.replacingOccurrences(of: Self.repository.path + "/", with: "")
            guard !Self.allowed.contains(path) else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            offenders += Self.offendingLines(in: text).map { "\(path):\($0)" }
        }
        #expect(scanned > 200, "the sources were not found at \(root.path)")
        #expect(offenders.isEmpty, "run work as a child of a task group (or async let) instead of an unstructured task: \(offenders)")
        for path in Self.allowed {
            #expect(FileManager.default.fileExists(atPath: Self.repository.appendingPathComponent(path).path), "allow-list entry \(path) no longer exists: drop it")
        }
    }
}
