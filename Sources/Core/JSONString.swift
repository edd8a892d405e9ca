/// JSON string literals written by hand (safetensors headers, JSON Lines rows), where key order or speed matters
/// and JSONEncoder would not do.
public enum JSONString {
    /// `value` as a JSON string literal, escaped as serde_json and Python's `json.dumps(ensure_ascii=False)` do:
    /// quote, backslash and control characters only (`\b \f \n \r \t` by name, others as `\u00XX`); all other
    /// Unicode is kept as is.
    public static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
