import Foundation
import HotlineFuzz
#if FUZZING
import CFuzzDriver
#endif

/// `hotline-fuzz TARGET …`, built two ways (Tests/Fuzz/run):
/// - with `-sanitize=fuzzer -D FUZZING`: libFuzzer drives TARGET, the rest of the arguments its
///   own (`-max_total_time=20 CORPUS_DIR`);
/// - plainly: runs files or folders of inputs through TARGET once (a crash's input replayed under
///   the debugger). `hotline-fuzz --list` names the targets.
@main struct FuzzEntry {
    nonisolated(unsafe) static var selected: FuzzTargets.Target?

    static func main() {
        var arguments = CommandLine.arguments
        guard arguments.count > 1, arguments[1] != "--list" else {
            for target in FuzzTargets.all { print("\(target.name)\t\(target.about)") }
            return
        }
        guard let target = FuzzTargets.named(arguments[1]) else {
            FileHandle.standardError.write(Data("hotline-fuzz: no target '\(arguments[1])' (--list names them)\n".utf8))
            exit(2)
        }
        selected = target
        arguments.remove(at: 1)
        #if FUZZING
        var argc = CInt(arguments.count)
        var pointers: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let status = pointers.withUnsafeMutableBufferPointer { buffer -> CInt in
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
            return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
                FuzzEntry.selected?.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
                return 0
            }
        }
        exit(status)
        #else
        var count = 0
        for path in arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let files = isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 } : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                target.run(Array(data))
                count += 1
            }
        }
        print("\(target.name): \(count) inputs run")
        #endif
    }
}
