import Foundation

// A test process has as many of Swift's cooperative threads as the machine has cores (two here):
// a test that blocks one on a child's pipe or exit (a Python peer, a browser, `hotline` itself)
// stalls every other test in the process meanwhile, and timing-dependent tests then fail. These
// wait on threads of their own instead.

/// Runs `body` on a thread of its own and returns what it returns: for a blocking wait (a child's
/// pipe or exit), which on one of Swift's cooperative threads — a test process has as many as
/// cores — stalls every other test meanwhile.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { done in Thread { done.resume(returning: body()) }.start() }
}

/// A value that is not Sendable handed to ``onOwnThread(_:)``, used there only.
public struct UncheckedBox<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}

/// Runs `process` to its end, its standard output and error read meanwhile (neither pipe can fill
/// up and block the child), without holding a cooperative thread: exit status, output, error.
public func runToEnd(_ process: Process, input: Data? = nil) async throws -> (status: Int32, out: String, err: String) {
    let (out, err, stdin) = (Pipe(), Pipe(), Pipe())
    process.standardOutput = out
    process.standardError = err
    if input != nil { process.standardInput = stdin }
    try process.run()
    if let input {
        try stdin.fileHandleForWriting.write(contentsOf: input)
        try stdin.fileHandleForWriting.close()
    }
    let child = UncheckedBox(process)
    async let errData = onOwnThread { err.fileHandleForReading.readDataToEndOfFile() }
    let outData = await onOwnThread {
        let data = out.fileHandleForReading.readDataToEndOfFile()
        child.value.waitUntilExit()
        return data
    }
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: await errData, as: UTF8.self))
}
