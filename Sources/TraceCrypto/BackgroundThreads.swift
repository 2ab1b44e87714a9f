import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Threads that yield to the rest of the process: a server's writes run on them (the batch's
/// signature checks, rules and inserts), so that buyers' reads on the other threads are not held
/// up behind a batch of thousands of events. On Linux each of these threads raises its own nice
/// value to `niceness` (a per-thread attribute there): a runnable read then gets about ten times
/// a write thread's share of a core, and a write still takes every core when no read wants one.
/// Elsewhere they are ordinary threads.
public final class BackgroundThreads: Sendable {
    /// How much higher a background thread's nice value is than the process's (19 is the lowest priority).
    public static let niceness: Int32 = 10

    /// The pool `ParallelBlocks` uses when called from a background thread.
    public static let pool = BackgroundThreads(count: ParallelVerifier.defaultWorkers, label: "trace.background")

    /// The serial thread a server's writes run on, one after another.
    public static let writer = BackgroundThreads(count: 1, label: "trace.writer")

    /// A job, and the group to leave once it has run and been let go: `perform` lends its
    /// caller's non-escaping closure to these threads, which must hold it no longer than that.
    private struct Job {
        var run: (@Sendable () -> Void)?
        let group: DispatchGroup?
    }

    private let jobs = Mutex<[Job]>([])
    private let ready = DispatchSemaphore(value: 0)

    private init(count: Int, label: String) {
        for n in 0..<max(1, count) {
            let thread = Thread { [self] in run() }
            thread.name = count == 1 ? label : "\(label).\(n)"
            thread.start()
        }
    }

    private func run() {
        Self.lowerPriority()
        Self.mark.withLock { _ = $0.insert(pthread_self()) }
        members.withLock { _ = $0.insert(pthread_self()) }
        while true {
            ready.wait()
            guard var job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
            job.run?()
            job.run = nil
            job.group?.leave()
        }
    }

    /// Runs `job` on one of these threads, in the order given (one thread: strictly in order).
    public func async(_ job: @escaping @Sendable () -> Void) { submit(Job(run: job, group: nil)) }

    private func submit(_ job: Job) {
        jobs.withLock { $0.append(job) }
        ready.signal()
    }

    /// The threads of every background pool, so that work started on one stays on them.
    private static let mark = Mutex<Set<pthread_t>>([])

    /// True on a background thread: parallel work started here runs on `pool`, at its priority.
    public static var isCurrent: Bool { mark.withLock { $0.contains(pthread_self()) } }

    /// `body(i)` for every `i` in `0..<iterations`, the caller running one and `pool` the rest;
    /// returns when all have. A call from a thread of `pool` itself runs them all in turn (its
    /// threads may all be waiting on such calls).
    static func perform(iterations: Int, _ body: @Sendable (Int) -> Void) {
        guard iterations > 1, !pool.owns(pthread_self()) else {
            for i in 0..<iterations { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let group = DispatchGroup()
            for i in 1..<iterations {
                group.enter()
                // Sound: `group.wait()` below returns only after every job has run `body` and
                // been released (the worker leaves the group after dropping it).
                pool.submit(Job(run: { body(i) }, group: group))
            }
            body(0)
            group.wait()
        }
    }

    private let members = Mutex<Set<pthread_t>>([])

    private func owns(_ thread: pthread_t) -> Bool { members.withLock { $0.contains(thread) } }

    /// Sets the calling thread's nice value to the process's plus `niceness` (at most to 19, the lowest priority);
    /// on Linux `setpriority` with `who` 0 changes the calling thread only. Raising it needs no
    /// privilege, so it never fails for want of one.
    private static func lowerPriority() {
        #if os(Linux)
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            // From the process's value (its main thread's), not the creating thread's: a pool
            // first used from the writer thread would otherwise start at the writer's.
            _ = setpriority(which, 0, min(19, getpriority(which, id_t(getpid())) + niceness))
        #endif
    }
}
