/// A multi-pattern matcher over Unicode scalars (Aho–Corasick), with transitions in one flat
/// hash table keyed by (state, scalar): built once, then each message is one pass over its scalars.
public struct AhoCorasick: Sendable {
    private var transitions: [UInt64: Int32] = [:]
    private var fail: [Int32] = [0]
    /// Outputs of each state, including those reached through failure links, as ranges into `outputs`.
    private var outputStart: [Int32] = []
    private var outputs: [Int32] = []
    /// How many patterns were compiled.
    public let patternCount: Int

    @inline(__always)
    private static func key(_ state: Int32, _ scalar: Unicode.Scalar) -> UInt64 {
        UInt64(UInt32(bitPattern: state)) << 32 | UInt64(scalar.value)
    }

    /// Compiles `patterns`; the index of a pattern in this array is what matching reports.
    public init(patterns: [[Unicode.Scalar]]) {
        patternCount = patterns.count
        var children: [[(Unicode.Scalar, Int32)]] = [[]]
        var own: [[Int32]] = [[]]
        for (index, pattern) in patterns.enumerated() where !pattern.isEmpty {
            var state: Int32 = 0
            for scalar in pattern {
                if let next = transitions[Self.key(state, scalar)] {
                    state = next
                } else {
                    let next = Int32(children.count)
                    children.append([])
                    own.append([])
                    children[Int(state)].append((scalar, next))
                    transitions[Self.key(state, scalar)] = next
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
                    if let next = transitions[Self.key(f, scalar)], next != child {
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
        outputStart.reserveCapacity(merged.count + 1)
        for list in merged {
            outputStart.append(Int32(outputs.count))
            outputs.append(contentsOf: list)
        }
        outputStart.append(Int32(outputs.count))
    }

    /// Calls `found` with the index of every pattern occurrence in `text` (a pattern may be reported more than once).
    @inline(__always)
    public func scan(_ text: [Unicode.Scalar], _ found: (Int) -> Void) {
        var state: Int32 = 0
        for scalar in text {
            while true {
                if let next = transitions[Self.key(state, scalar)] {
                    state = next
                    break
                }
                if state == 0 { break }
                state = fail[Int(state)]
            }
            let start = Int(outputStart[Int(state)])
            let end = Int(outputStart[Int(state) + 1])
            var i = start
            while i < end {
                found(Int(outputs[i]))
                i += 1
            }
        }
    }
}
