import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The user's request to stop a training early: Ctrl-C (SIGINT) or `kill` (SIGTERM, also what
/// ends a shell session). Once `catchSignals` is called, the first such signal is only noted:
/// the trainer finishes its iteration, writes a checkpoint and returns, as at a time budget, so
/// `--resume` continues exactly and at most the iteration under way is lost, never the work
/// since the last scheduled checkpoint. A second signal ends the process at once.
public enum StopRequest {
    /// The signal that asked to stop, or nil.
    public static var signal: Int32? {
        let number = received.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }

    /// Whether a stop was asked for (for `Trainer.run`'s `stopRequested`).
    @Sendable public static func isPending() -> Bool { signal != nil }

    /// Routes SIGINT and SIGTERM to the request (call on the main thread before training starts).
    /// Also unblocks them there: a process inherits its parent's blocked signals (Foundation's
    /// `Process` started from a test runner passes them on blocked), and a blocked signal would
    /// never arrive.
    public static func catchSignals() {
        _ = Glibc.signal(SIGINT, noteSignal)
        _ = Glibc.signal(SIGTERM, noteSignal)
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }
}

/// Written by the signal handler, read by the training loop.
private let received = Atomic<Int32>(0)

/// The handler: only async-signal-safe work (an atomic store, `signal`). Back to the default
/// actions, so that a second signal ends the process.
private func noteSignal(_ number: Int32) {
    received.store(number, ordering: .relaxed)
    _ = Glibc.signal(SIGINT, SIG_DFL)
    _ = Glibc.signal(SIGTERM, SIG_DFL)
}
