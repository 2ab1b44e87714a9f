import CLibFuzzer
import Foundation
import TraceFuzzTargets

// `trace-fuzz TARGET [libFuzzer flags] [CORPUS...]`: one libFuzzer program for every parser of
// outside input, built only by tools/fuzz (TRACE_FUZZ=1), never by the default build.
//
// SwiftPM links an executable's entry point as `<module>_main`, so this is the program's main: it
// picks the target and hands the remaining arguments to libFuzzer.

/// The target that `LLVMFuzzerTestOneInput` runs; set once, before libFuzzer starts.
nonisolated(unsafe) private var selected: FuzzTarget?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let target = selected ?? FuzzTarget.named(getenv("TRACE_FUZZ_TARGET").map { String(cString: $0) } ?? "")
    guard let target else { fatalError("trace-fuzz: name a target: \(FuzzTarget.names)") }
    // libFuzzer records an input only when the process dies, so a broken property becomes a crash here.
    do { try target.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []) } catch {
        fatalError("trace-fuzz: \(error.target): \(error.property)")
    }
    return 0
}

@_cdecl("TraceFuzz_main")
public func traceFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var arguments = (0..<Int(argc)).map { argv[$0] }
    guard arguments.count >= 2, let name = arguments[1].map({ String(cString: $0) }), let target = FuzzTarget.named(name)
    else {
        FileHandle.standardError.write(
            Data("usage: trace-fuzz TARGET [libFuzzer flags] [CORPUS...]\ntargets: \(FuzzTarget.names)\n".utf8))
        return 2
    }
    selected = target
    arguments.remove(at: 1)
    var count = Int32(arguments.count)
    return arguments.withUnsafeMutableBufferPointer { buffer in
        var pointer = buffer.baseAddress
        return LLVMFuzzerRunDriver(&count, &pointer) { data, size in fuzzOneInput(data, size) }
    }
}
