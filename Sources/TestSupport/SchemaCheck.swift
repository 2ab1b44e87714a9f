import Foundation

/// Validates documents against the JSON Schemas in schemas/ with Python's jsonschema, an
/// implementation independent of ours (tools/setup installs it).
public enum SchemaCheck {
    /// The repository's root, from this file's place in it.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// True when python3 with jsonschema is installed.
    public static let available: Bool = (try? Command.run("python3", ["-c", "import jsonschema"]))?.status == 0

    /// Nil when `bytes` is valid against `schema` (or jsonschema is missing), else the validator's complaint.
    public static func problem(_ bytes: [UInt8], against schema: String) throws -> String? {
        guard available else { return nil }
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.validate(json.load(sys.stdin), schema, cls=jsonschema.Draft202012Validator)
            print("ok")
            """
        let result = try Command.run(
            "python3", ["-c", script, "\(root)/schemas/\(schema)"], stdin: String(decoding: bytes, as: UTF8.self))
        return result.status == 0 && result.stdout == "ok\n" ? nil : "\(schema): \(result.stderr.suffix(1500))"
    }
}
