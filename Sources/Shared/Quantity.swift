/// Kubernetes `resource.Quantity` strings for metric values (docs/metrics-api.md, "Quantities").
///
/// Metric values travel as milli-units (integer mantissa × 10⁻³), the precision the
/// Go adapters use; `format` writes them in canonical DecimalSI form and
/// `milliValue(of:)` reads any quantity string back as Go's `MilliValue()` would.
public enum Quantity {
    /// DecimalSI suffixes by decimal exponent (docs/metrics-api.md, "Quantities", step 4).
    static let decimalSuffixes: [Int: String] = [
        -9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E",
    ]

    /// Canonical DecimalSI string of value rounded to the nearest milli-unit (ties away from zero);
    /// nil for NaN/±Inf or |value|*1000 beyond Int64.
    ///
    /// The product `value * 1000` is computed in `Double`, so values very close to a
    /// half-milli tie may round either way.
    public static func format(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        let milli = (value * 1000).rounded(.toNearestOrAwayFromZero)
        // 2^63 is exactly representable; Int64's range is [-2^63, 2^63).
        guard milli >= -0x1p63, milli < 0x1p63 else { return nil }
        return format(milli: Int64(milli))
    }

    /// Canonical DecimalSI string of `milli` × 10⁻³, by the exact algorithm of
    /// docs/metrics-api.md, "Quantities":
    /// strip trailing zeros into the exponent, lower the exponent to a multiple of 3
    /// (truncated modulo), then print the mantissa and the suffix
    /// (`n u m "" k M G T P E`). Examples: 1500 → `1500m`, 2000 → `2`, 12000000 → `12k`.
    public static func format(milli: Int64) -> String {
        if milli == 0 { return "0" }
        var mantissa = milli
        var exponent = -3
        while mantissa.magnitude >= 10, mantissa % 10 == 0 {
            mantissa /= 10
            exponent += 1
        }
        // Starting from -3 (a multiple of 3), these steps only restore factors of ten
        // stripped above, so the mantissa never exceeds |milli| and cannot overflow.
        switch exponent % 3 {
        case 1, -2:
            mantissa *= 10
            exponent -= 1
        case 2, -1:
            mantissa *= 100
            exponent -= 2
        default:
            break
        }
        // Exponent is now in {-3, 0, 3, ..., 15}: every one has a suffix.
        return String(mantissa) + (decimalSuffixes[exponent] ?? "e\(exponent)")
    }

    /// Parses any Kubernetes quantity string (suffixes n u m k M G T P E, Ki Mi Gi Ti Pi Ei,
    /// e±N / E±N, optional sign, decimals) and returns ceil(q*1000) like Go's MilliValue().
    ///
    /// Like current apimachinery, a negative value with a sub-milli remainder rounds away
    /// from zero (`-0.5m` → -1). Stricter than Go in two ways: at least one digit is
    /// required (Go reads `.`, `+` or a bare `k` as zero), and a value whose milli-value
    /// does not fit in Int64 throws instead of overflowing silently.
    public static func milliValue(of text: String) throws(QuantityError) -> Int64 {
        let parsed = try ParsedQuantity(text)
        return try parsed.milliValue()
    }
}
