/// Simulated time's agenda: a binary min-heap ordered by (time, insertion number), so events at the
/// same millisecond run in the order they were scheduled — one total order for a seed.
struct EventQueue<Event> {
    private struct Entry { let at: UInt64; let order: UInt64; let event: Event }
    private var heap: [Entry] = []
    private var scheduled: UInt64 = 0

    mutating func schedule(at: UInt64, _ event: Event) {
        heap.append(Entry(at: at, order: scheduled, event: event))
        scheduled += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (at: UInt64, event: Event)? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count, less(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count, less(heap[right], heap[smallest]) { smallest = right }
                guard smallest != parent else { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return (first.at, first.event)
    }

    private func less(_ a: Entry, _ b: Entry) -> Bool { (a.at, a.order) < (b.at, b.order) }
}
