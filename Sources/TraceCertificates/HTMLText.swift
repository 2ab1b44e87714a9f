/// Escaping for text put into HTML and SVG, so a Vietnamese name with "&" or a hostile lot
/// label can never become markup.
public enum HTMLText {
    /// `text` with &, <, >, " and ' escaped, safe in element content and quoted attributes.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
