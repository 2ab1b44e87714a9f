import Foundation
import TestSupport
import Testing

/// Validates documents against the JSON Schemas in schemas/ with Python's jsonschema, an
/// implementation independent of ours (tools/setup installs it).
enum SchemaCheck {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static let available: Bool = (try? Command.run("python3", ["-c", "import jsonschema"]))?.status == 0

    static func validate(_ bytes: [UInt8], against schema: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard available else { return }
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.validate(json.load(sys.stdin), schema, cls=jsonschema.Draft202012Validator)
            print("ok")
            """
        let result = try Command.run(
            "python3", ["-c", script, "\(root)/schemas/\(schema)"], stdin: String(decoding: bytes, as: UTF8.self))
        #expect(
            result.status == 0 && result.stdout == "ok\n", "\(schema): \(result.stderr.suffix(1500))",
            sourceLocation: sourceLocation)
    }
}
