extension String {
    /// At most `limit` Unicode scalars: what a CRD's `maxLength` counts (Go counts runes,
    /// not Swift Characters, so a message of combining sequences cut by `prefix` can
    /// still be refused).
    public func truncated(toUnicodeScalars limit: Int) -> String {
        guard unicodeScalars.count > limit else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.prefix(limit)))
    }

    /// At most `limit` bytes of UTF-8, never splitting a scalar: what Go's `len()`
    /// counts (e.g. an Event's `note`, at most 1,024 bytes).
    public func truncated(toUTF8Bytes limit: Int) -> String {
        guard utf8.count > limit else { return self }
        var bytes = 0
        var scalars = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            let size = String(scalar).utf8.count
            guard bytes + size <= limit else { break }
            bytes += size
            scalars.append(scalar)
        }
        return String(scalars)
    }
}
