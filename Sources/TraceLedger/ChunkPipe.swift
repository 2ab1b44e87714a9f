import Dispatch
import Synchronization

/// A small bounded queue between one producer and one consumer thread: the producer blocks when
/// `capacity` items wait, so memory stays bounded by a few chunks whatever the ledger's size.
final class ChunkPipe<Item: Sendable>: Sendable {
    private let items = Mutex<[Item]>([])
    private let filled: DispatchSemaphore
    private let free: DispatchSemaphore
    private let stopped = Mutex(false)

    init(capacity: Int) {
        filled = DispatchSemaphore(value: 0)
        free = DispatchSemaphore(value: capacity)
    }

    /// Waits for room, then adds an item.
    func put(_ item: Item) {
        free.wait()
        items.withLock { $0.append(item) }
        filled.signal()
    }

    /// Waits for an item and takes it.
    func take() -> Item {
        filled.wait()
        let item = items.withLock { $0.removeFirst() }
        free.signal()
        return item
    }

    /// Asks the producer to stop early.
    func stop() { stopped.withLock { $0 = true } }

    var isStopped: Bool { stopped.withLock { $0 } }
}
