/// Checks of identifiers printed on papers: countries and shipping containers.
public enum Identifiers {
    /// Every officially assigned ISO 3166-1 alpha-2 code (249), as of 2026.
    public static let iso3166Alpha2: Set<String> = Set(
        """
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO
        FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE
        JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO
        MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
        PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM
        TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))

    /// True when `code` is an assigned ISO 3166-1 alpha-2 code, in capitals.
    public static func isCountry(_ code: String) -> Bool { iso3166Alpha2.contains(code) }

    /// The ISO 6346 value of a letter: A=10 upwards, skipping multiples of 11.
    static func letterValue(_ c: UInt8) -> Int {
        var v = 10
        var letter = UInt8(ascii: "A")
        while letter < c {
            v += 1
            if v % 11 == 0 { v += 1 }
            letter += 1
        }
        return v
    }

    /// The ISO 6346 check digit of the first ten characters (owner code, category, serial), or
    /// nil when they are not three capitals, U, J or Z, and six digits.
    public static func containerCheckDigit(_ text: String) -> Int? {
        let b = Array(text.utf8)
        guard b.count >= 10, b[0..<3].allSatisfy({ $0 >= 65 && $0 <= 90 }), [85, 74, 90].contains(b[3]),
            b[4..<10].allSatisfy({ $0 >= 48 && $0 <= 57 })
        else { return nil }
        var sum = 0
        for i in 0..<10 {
            let value = i < 4 ? letterValue(b[i]) : Int(b[i] - 48)
            sum += value << i
        }
        return sum % 11 % 10
    }

    /// True when `text` is an ISO 6346 container number: 11 characters, the last its check digit.
    public static func isContainer(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count == 11, let check = containerCheckDigit(text), b[10] >= 48, b[10] <= 57 else { return false }
        return Int(b[10] - 48) == check
    }

    /// The container number written as the rules read it: capitals, no spaces or hyphens.
    public static func normalizedContainer(_ text: String) -> String {
        String(text.uppercased().filter { $0 != " " && $0 != "-" })
    }
}
