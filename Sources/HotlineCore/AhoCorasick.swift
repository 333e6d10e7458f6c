/// A multi-pattern matcher over Unicode scalars (Aho–Corasick). Transitions live in one flat
/// open-addressing hash table keyed by (state, scalar) with a multiplicative hash: built once,
/// then each message is one pass over its scalars with no allocation.
public struct AhoCorasick: Sendable {
    private var table: TransitionTable
    private var fail: [Int32] = [0]
    /// Outputs of each state, including those reached through failure links, as ranges into `outputs`.
    private var outputStart: [Int32] = []
    private var outputs: [Int32] = []
    /// One bit per scalar below U+10000: set when some pattern starts with it. Most characters of a
    /// message start no keyword, and at the root this 8 KiB bitmap (it stays in the first-level
    /// cache) answers that without probing the transition table.
    private var starts = [UInt64](repeating: 0, count: 1024)
    /// How many patterns were compiled.
    public let patternCount: Int

    /// Compiles `patterns`; the index of a pattern in this array is what matching reports.
    public init(patterns: [[Unicode.Scalar]]) {
        patternCount = patterns.count
        var transitions: [UInt64: Int32] = [:]
        var children: [[(Unicode.Scalar, Int32)]] = [[]]
        var own: [[Int32]] = [[]]
        for (index, pattern) in patterns.enumerated() where !pattern.isEmpty {
            let first = pattern[0].value
            if first < 0x10000 { starts[Int(first >> 6)] |= 1 << UInt64(first & 63) }
            var state: Int32 = 0
            for scalar in pattern {
                let key = TransitionTable.key(state, scalar)
                if let next = transitions[key] {
                    state = next
                } else {
                    let next = Int32(children.count)
                    children.append([])
                    own.append([])
                    children[Int(state)].append((scalar, next))
                    transitions[key] = next
                    state = next
                }
            }
            own[Int(state)].append(Int32(index))
        }
        // Breadth-first: failure links and merged outputs.
        fail = Array(repeating: 0, count: children.count)
        var merged = own
        var queue: [Int32] = children[0].map { $0.1 }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            for (scalar, child) in children[Int(state)] {
                var f = fail[Int(state)]
                var target: Int32 = 0
                while true {
                    if let next = transitions[TransitionTable.key(f, scalar)], next != child {
                        target = next
                        break
                    }
                    if f == 0 { break }
                    f = fail[Int(f)]
                }
                fail[Int(child)] = target
                merged[Int(child)] += merged[Int(target)]
                queue.append(child)
            }
        }
        for list in merged {
            outputStart.append(Int32(outputs.count))
            outputs.append(contentsOf: list)
        }
        outputStart.append(Int32(outputs.count))
        table = TransitionTable(transitions)
    }

    /// Calls `found` with the index of every pattern occurrence in `text` (a pattern may be reported more than once).
    @inline(__always)
    public func scan(_ text: [Unicode.Scalar], _ found: (Int) -> Void) {
        scan(text) { keyword, _ in found(keyword) }
    }

    /// As `scan`, with the offset in `text` just past each match.
    public func scan(_ text: [Unicode.Scalar], _ found: (_ keyword: Int, _ end: Int) -> Void) {
        var state: Int32 = 0
        for (position, scalar) in text.enumerated() {
            while true {
                if state == 0 {
                    let v = scalar.value
                    // No pattern starts with this scalar: the root has no transition for it.
                    if v < 0x10000 && starts[Int(v >> 6)] & (1 << UInt64(v & 63)) == 0 { break }
                }
                let next = table.lookup(state, scalar)
                if next >= 0 {
                    state = next
                    break
                }
                if state == 0 { break }
                state = fail[Int(state)]
            }
            var i = Int(outputStart[Int(state)])
            let end = Int(outputStart[Int(state) + 1])
            while i < end {
                found(Int(outputs[i]), position + 1)
                i += 1
            }
        }
    }
}

/// Open addressing with linear probing; a load factor at most 1/2 keeps probes short.
struct TransitionTable: Sendable {
    private var keys: [UInt64]
    private var values: [Int32]
    private let shift: UInt64
    private static let empty = UInt64.max

    @inline(__always)
    static func key(_ state: Int32, _ scalar: Unicode.Scalar) -> UInt64 {
        UInt64(UInt32(bitPattern: state)) << 32 | UInt64(scalar.value)
    }

    init(_ transitions: [UInt64: Int32]) {
        var bits: UInt64 = 4
        while (1 << bits) < transitions.count * 2 { bits += 1 }
        shift = 64 - bits
        keys = Array(repeating: Self.empty, count: 1 << bits)
        values = Array(repeating: -1, count: 1 << bits)
        let mask = (1 << Int(bits)) - 1
        for (key, value) in transitions {
            var slot = Int((key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while keys[slot] != Self.empty { slot = (slot + 1) & mask }
            keys[slot] = key
            values[slot] = value
        }
    }

    /// The next state, or -1 when there is no transition.
    @inline(__always)
    func lookup(_ state: Int32, _ scalar: Unicode.Scalar) -> Int32 {
        let key = Self.key(state, scalar)
        let mask = keys.count - 1
        var slot = Int((key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let k = keys[slot]
            if k == key { return values[slot] }
            if k == Self.empty { return -1 }
            slot = (slot + 1) & mask
        }
    }
}
