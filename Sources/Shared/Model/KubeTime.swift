import Foundation

/// `metav1.Time` formatting: RFC 3339 in UTC with whole seconds (docs/metrics-api.md,
/// "How the bytes are written").
public enum KubeTime {
    /// Seconds since the epoch of 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the
    /// four-digit years RFC 3339 (and Go's `metav1.Time`) can express.
    static let representableSeconds: ClosedRange<Double> = -62_167_219_200...253_402_300_799

    /// Formats `date` as `2024-05-01T12:00:05Z`; fractional seconds are dropped (floor).
    /// Times outside years 0000–9999 are clamped to the nearest end (a sample time is
    /// Sysdig's data, so it must never trap); NaN formats as the epoch.
    ///
    /// Computed arithmetically rather than with a `DateFormatter`, so the output never
    /// depends on locale, calendar settings or time zone of the process.
    public static func format(_ date: Date) -> String {
        let raw = date.timeIntervalSince1970.rounded(.down)
        let bounds = representableSeconds
        let seconds = raw.isNaN ? 0 : Int64(min(max(raw, bounds.lowerBound), bounds.upperBound))
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let hour = secondOfDay / 3600
        let minute = (secondOfDay % 3600) / 60
        let second = secondOfDay % 60
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            + pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2) + "Z"
    }

    /// Parses RFC 3339 (`2024-05-01T12:00:05Z`, fractions and offsets allowed).
    public static func parse(_ text: String) -> Date? {
        try? Date(text, strategy: .iso8601)
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    /// Days since 1970-01-01 to a proleptic Gregorian (year, month, day); H. Hinnant's algorithm.
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
