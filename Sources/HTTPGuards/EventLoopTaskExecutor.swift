import NIOCore

/// A task executor that runs jobs on one NIO event loop.
///
/// A connection's task prefers its channel's loop (`LoopBoundHTTP1Channel`). Without the preference the
/// task runs on whichever loop the global executor picks. Then each read the channel delivers, and each
/// write the task makes, crosses to the other loop's thread: an eventfd write, a wake-up and a thread
/// switch, several per request.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // `@unchecked`: the only stored property is a `let` to an event loop, which is thread-safe.
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // `execute` from the loop's own thread queues without a wake-up; a job is never run inline,
        // so the enqueuing code is never re-entered.
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
