import CLibPQ
import Dispatch
import Foundation
import Logging

/// One libpq connection to Postgres.
///
/// Every blocking libpq call runs on this connection's own serial `DispatchQueue`, never on
/// Swift's cooperative thread pool; the async methods suspend until the queue has done the work.
/// Calls from concurrent tasks are serialized one by one, but a transaction spans several calls,
/// so share a connection only between code that does not interleave (use one per task).
/// Cancelling a task does not cancel a running statement.
public final class PostgresConnection: @unchecked Sendable {
    /// The libpq handle; only touched on `queue` (and in deinit, when nothing else can).
    private var handle: OpaquePointer?
    private let queue: DispatchQueue
    /// The DSN's password, scrubbed from every message libpq produces.
    let secret: String?
    let logger: Logger
    /// Keeps the notice receiver's context alive as long as the handle.
    private let notices: NoticeSink
    private let stateLock = NSLock()
    private var lastKnownAlive = true
    /// Interrupts a statement from outside the queue when its client-side deadline passes.
    let interrupter: StatementInterrupter
    private var defaultDeadline: Duration?
    /// Statements prepared on this session (see `query(_:_:timeout:maxRows:maxBytes:prepared:)`); only touched on `queue`.
    var preparedStatements = PreparedStatements()

    /// A client-side deadline for every call that has none of its own (queries, COPY, transactions'
    /// statements); nil (the default) waits as long as libpq does. When it passes, the statement is
    /// cancelled, the socket shut down so the blocked call returns, the call throws `.timedOut` and the
    /// connection is dead: a server that stops answering becomes a failure to retry, not a hang.
    public var statementDeadline: Duration? {
        get { stateLock.withLock { defaultDeadline } }
        set { stateLock.withLock { defaultDeadline = newValue } }
    }

    private init(handle: OpaquePointer, queue: DispatchQueue, secret: String?, logger: Logger, notices: NoticeSink) {
        self.handle = handle
        self.queue = queue
        self.secret = secret
        self.logger = logger
        self.notices = notices
        self.interrupter = StatementInterrupter(handle: handle)
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Opens a connection (`PQconnectdbParams`) and checks it is usable.
    ///
    /// - Parameter dsn: a libpq URI (`postgresql://user:pass@host:5432/db`) or key=value string.
    ///   Unless the DSN says otherwise, `connect_timeout` is 10 s, TCP keepalives probe after 15 s
    ///   idle every 5 s (3 probes) and `tcp_user_timeout` is 30 s, so a blackholed network breaks
    ///   the connection instead of blocking a call forever; `client_encoding` is always UTF8.
    /// - Throws: `PostgresError` with code `.connectionFailed` (transient) or `.authenticationFailed`.
    public static func connect(
        dsn: String, logger: Logger = Logger(label: "projection.postgres")
    ) async throws -> PostgresConnection {
        guard !dsn.containsNUL else {
            throw PostgresError(code: .invalidValue, message: "the DSN contains a NUL character")
        }
        let secret = password(in: dsn)
        let redactedDSN = PostgresDSN.scrubbed(dsn, secret: secret)
        let queue = DispatchQueue(label: "projection.postgres.connection")
        let notices = NoticeSink(logger: logger, secret: secret)
        let handle: UncheckedBox<OpaquePointer> = try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try UncheckedBox(openHandle(dsn: dsn, secret: secret, notices: notices)) })
            }
        }
        logger.debug("connected to postgres", metadata: ["dsn": "\(redactedDSN)"])
        return PostgresConnection(handle: handle.value, queue: queue, secret: secret, logger: logger, notices: notices)
    }

    /// `connect(dsn:logger:)` that gives up after `timeout` with `.timedOut` even when the server
    /// or network stops answering mid-handshake. The abandoned attempt ends by itself within
    /// `connect_timeout` (the handle is then closed), without holding the caller.
    public static func connect(
        dsn: String, logger: Logger = Logger(label: "projection.postgres"), timeout: Duration
    ) async throws -> PostgresConnection {
        guard !dsn.containsNUL else {
            throw PostgresError(code: .invalidValue, message: "the DSN contains a NUL character")
        }
        let secret = password(in: dsn)
        let queue = DispatchQueue(label: "projection.postgres.connection")
        let notices = NoticeSink(logger: logger, secret: secret)
        let outcome = DeadlineOutcome<PostgresConnection>()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.install(continuation)
            queue.async {
                let opened = Result { try openHandle(dsn: dsn, secret: secret, notices: notices) }
                    .map { PostgresConnection(handle: $0, queue: queue, secret: secret, logger: logger, notices: notices) }
                // Too late: nobody takes the connection, so it is closed here (deinit finishes it).
                if !outcome.resume(UncheckedBox(opened)), case .success(let connection) = opened { connection.close() }
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + dispatchInterval(timeout)) {
                outcome.resume(UncheckedBox(.failure(PostgresError(
                    code: .timedOut, message: "the connection was not established before its client-side deadline"))))
            }
        }
    }

    static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        let nanoseconds = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        return .nanoseconds(Int(max(0, nanoseconds)))
    }

    /// Blocking connect; runs on the connection's queue.
    private static func openHandle(dsn: String, secret: String?, notices: NoticeSink) throws -> OpaquePointer {
        // Later keywords win: our connect_timeout default yields to the DSN, UTF8 overrides it.
        let pairs = [
            ("connect_timeout", "10"), ("application_name", "projection"),
            ("keepalives", "1"), ("keepalives_idle", "15"), ("keepalives_interval", "5"), ("keepalives_count", "3"),
            ("tcp_user_timeout", "30000"),
            ("dbname", dsn), ("client_encoding", "UTF8"),
        ]
        let keywords = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer { (keywords + values).forEach { free($0) } }
        let keywordPointers = keywords.map { UnsafePointer($0) } + [nil]
        let valuePointers = values.map { UnsafePointer($0) } + [nil]
        guard let handle = PQconnectdbParams(keywordPointers, valuePointers, 1) else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = PostgresDSN.scrubbed(errorMessage(handle), secret: secret)
            // libpq exposes no SQLSTATE for startup failures; its message is the only signal.
            let authentication = message.contains("authentication failed")
            PQfinish(handle)
            throw PostgresError(code: authentication ? .authenticationFailed : .connectionFailed, message: message)
        }
        PQsetNoticeReceiver(handle, { context, result in
            guard let context, let result else { return }
            Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue().receive(result)
        }, Unmanaged.passUnretained(notices).toOpaque())
        return handle
    }

    /// The password a DSN carries, if any (parsed by libpq itself, so both syntaxes agree).
    static func password(in dsn: String) -> String? {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(dsn, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            return nil
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "password", let value = option.pointee.val {
                return String(cString: value)
            }
            option += 1
        }
        return nil
    }

    /// Closes the connection. Queued calls finish first; later calls throw `.closed`.
    public func close() {
        setAlive(false)
        queue.async { [self] in
            if let handle {
                PQfinish(handle)
                self.handle = nil
                logger.debug("closed postgres connection")
            }
            // Calls queued before close() may have marked it alive again.
            setAlive(false)
        }
    }

    /// Whether the connection was healthy after its last call and is not closed.
    ///
    /// A server that went away is noticed only by the next call, which then fails transiently.
    public var isAlive: Bool {
        stateLock.withLock { lastKnownAlive }
    }

    /// Re-establishes a broken connection with the same parameters (`PQreset`).
    ///
    /// Session state (temporary tables, session advisory locks, settings) is lost.
    public func reset() async throws {
        try await withHandle { handle in
            PQreset(handle)
            guard PQstatus(handle) == CONNECTION_OK else {
                throw PostgresError(code: .connectionFailed, message: self.scrub(Self.errorMessage(handle)))
            }
        }
    }

    /// Runs `body` with the libpq handle on the connection's queue and returns its result.
    ///
    /// `body` need not be Sendable or escaping: the caller stays suspended until it has run, and
    /// the queue drops it before resuming the caller, as `withoutActuallyEscaping` requires.
    func withHandle<T>(_ body: (OpaquePointer) throws -> T) async throws -> T {
        let deadline = statementDeadline
        return try await withoutActuallyEscaping(body) { body in
            let job = HandleJob(body)
            let result: UncheckedBox<Result<T, any Error>> = await withCheckedContinuation { continuation in
                queue.async { [self] in
                    guard let deadline else {
                        let result = job.run(handle)
                        setAlive(handle.map { PQstatus($0) == CONNECTION_OK } ?? false)
                        continuation.resume(returning: UncheckedBox(result))
                        return
                    }
                    // The body must not outlive this call (it is not escaping): so the watchdog only
                    // interrupts, and the shut-down socket makes the blocked libpq call return.
                    guard let handle, interrupter.begin(handle) else {
                        continuation.resume(returning: UncheckedBox(.failure(interrupter.isInterrupted ? Self.timedOut : PostgresError.closedConnection)))
                        return
                    }
                    let watchdog = DispatchWorkItem { [interrupter, logger] in
                        interrupter.interrupt()
                        logger.warning("postgres statement passed its client-side deadline; cancelled and dropping the connection")
                    }
                    DispatchQueue.global().asyncAfter(deadline: .now() + Self.dispatchInterval(deadline), execute: watchdog)
                    var result = job.run(handle)
                    watchdog.cancel()
                    interrupter.end()
                    if interrupter.isInterrupted, case .failure = result { result = .failure(Self.timedOut) }
                    setAlive(!interrupter.isInterrupted && PQstatus(handle) == CONNECTION_OK)
                    continuation.resume(returning: UncheckedBox(result))
                }
            }
            return try result.value.get()
        }
    }

    /// Runs `body` on the queue, which keeps `deadline` itself: it waits for the server only with
    /// `poll` bounded by the deadline and, when it passes, interrupts the statement and throws
    /// `.timedOut` (see `awaitResult`). No timer is armed. Pool connections run one statement at a
    /// time, so the job never waits behind another on the queue.
    func withHandle<T>(until deadline: ContinuousClock.Instant, _ body: @escaping (OpaquePointer) throws -> T) async throws -> T {
        let job = HandleJob(body)
        let result: UncheckedBox<Result<T, any Error>> = await withCheckedContinuation { continuation in
            queue.async { [self] in
                var result: Result<T, any Error>
                if let handle, interrupter.begin(handle) {
                    result = job.run(handle)
                    interrupter.end()
                } else {
                    result = .failure(interrupter.isInterrupted ? Self.timedOut : PostgresError.closedConnection)
                }
                if interrupter.isInterrupted, case .failure = result { result = .failure(Self.timedOut) }
                setAlive(!interrupter.isInterrupted && handle.map { PQstatus($0) == CONNECTION_OK } ?? false)
                continuation.resume(returning: UncheckedBox(result))
            }
        }
        if case .failure(let error as PostgresError) = result.value, error.code == .timedOut {
            logger.warning("postgres statement passed its client-side deadline; cancelled and dropping the connection")
        }
        return try result.value.get()
    }

    /// Runs `body` on the queue like `withHandle(_:)`, but resumes the caller with `.timedOut`
    /// once `timeout` passes, interrupting the statement (see `StatementInterrupter`).
    func withHandle<T>(timeout: Duration, _ body: @escaping (OpaquePointer) throws -> T) async throws -> T {
        let outcome = DeadlineOutcome<T>()
        let job = HandleJob(body)
        // A timer source, not `asyncAfter`: it is cancelled when the statement ends, so a finished
        // statement leaves no pending timer (and no wake-up at its deadline) behind.
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + Self.dispatchInterval(timeout))
        // Boxed: the queue's closure must be Sendable; the source is only activated here and cancelled there.
        let watchdog = UncheckedBox(timer)
        timer.setEventHandler { [self] in
            guard outcome.resume(UncheckedBox(.failure(Self.timedOut))) else { return }
            setAlive(false)
            interrupter.interrupt()
            logger.warning("postgres statement passed its client-side deadline; cancelled and dropping the connection")
        }
        return try await withCheckedThrowingContinuation { continuation in
            outcome.install(continuation)
            timer.activate()
            queue.async { [self] in
                let result: Result<T, any Error>
                if let handle, interrupter.begin(handle) {
                    result = job.run(handle)
                    interrupter.end()
                } else {
                    result = .failure(interrupter.isInterrupted ? Self.timedOut : PostgresError.closedConnection)
                }
                setAlive(!interrupter.isInterrupted && handle.map { PQstatus($0) == CONNECTION_OK } ?? false)
                watchdog.value.cancel()
                outcome.resume(UncheckedBox(result))
            }
        }
    }

    static let timedOut = PostgresError(code: .timedOut, message: "the statement did not finish before its client-side deadline")

    private func setAlive(_ alive: Bool) {
        stateLock.withLock { lastKnownAlive = alive }
    }

    func scrub(_ text: String) -> String {
        PostgresDSN.scrubbed(text, secret: secret)
    }

    static func errorMessage(_ handle: OpaquePointer) -> String {
        guard let message = PQerrorMessage(handle) else { return "unknown libpq error" }
        let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "unknown libpq error" : text
    }
}
