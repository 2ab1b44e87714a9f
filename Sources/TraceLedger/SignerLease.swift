/// The right to sign a ledger's checkpoints, where several processes share one store: at most one
/// process holds it at a time, and holds it until it stops (PostgreSQL: a session-level advisory
/// lock on a connection of its own). A process without it appends and serves, and signs nothing.
public protocol SignerLease: AnyObject, Sendable {
    /// True when this process holds the right now (checked, not remembered: a lost connection
    /// lost the lock with it), taking it first when no other process holds it.
    func holdsOrTakes() -> Bool
    /// True when some process (this one or another) holds the right now: a writer without the
    /// key then waits a moment for the checkpoint that covers its write.
    func leaderRuns() -> Bool
}
