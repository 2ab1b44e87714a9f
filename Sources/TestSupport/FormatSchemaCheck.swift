import Foundation

/// Validation against a draft-07 schema with format checking on (`uri`, `date-time`), as GS1's
/// EPCIS 2.0 JSON Schema needs: without `rfc3987` and `rfc3339-validator` jsonschema skips those
/// formats silently, so this refuses to pass when they are missing.
public enum FormatSchemaCheck {
    /// Nil when `bytes` is valid against `schemas/<schema>` with formats checked, else why not.
    public static func problem(_ bytes: [UInt8], against schema: String) throws -> String? {
        let script = """
            import json, sys, jsonschema, rfc3987, rfc3339_validator
            checker = jsonschema.Draft7Validator.FORMAT_CHECKER
            assert "uri" in checker.checkers and "date-time" in checker.checkers, "format checkers missing"
            schema = json.load(open(sys.argv[1]))
            errors = sorted(jsonschema.Draft7Validator(schema, format_checker=checker).iter_errors(json.load(sys.stdin)), key=str)
            for e in errors[:5]:
                print(list(e.absolute_path), e.message[:300], file=sys.stderr)
            print("ok" if not errors else "invalid")
            """
        let result = try Command.run(
            "python3", ["-c", script, "\(SchemaCheck.root)/schemas/\(schema)"], stdin: String(decoding: bytes, as: UTF8.self))
        return result.status == 0 && result.stdout == "ok\n" ? nil : "\(schema): \(result.stdout) \(result.stderr.suffix(2000))"
    }
}
