/// A value handed to another thread to be freed there. The task that receives it empties the
/// box, so the value's last reference goes on that thread, whichever thread lets go of the box
/// last: capturing the value itself in the task's closure leaves a race, as the thread that
/// made the closure may release it after the task has run.
/// @unchecked Sendable: after the hand-over only the receiving task touches `value`, and the
/// dispatch that hands it over orders that.
public final class Disposal<Value>: @unchecked Sendable {
    private var value: Value?

    /// A box holding `value`.
    public init(_ value: consuming Value) { self.value = value }

    /// Drops the value (on the calling thread).
    public func dispose() { value = nil }
}
