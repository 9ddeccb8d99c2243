namespace SplitCcp.Core;

/// <summary>Reads a request's word for one value of an enum, so every field refuses the same tricks.</summary>
public static class EnumNames
{
    /// <summary>
    /// The value <paramref name="value"/> names, case aside; false for a blank, a number, or a list: Enum.TryParse reads
    /// "Plan,Apply" as flags and ORs them into another value.
    /// </summary>
    public static bool TryParse<TEnum>(string? value, out TEnum result)
        where TEnum : struct, Enum
    {
        result = default;
        return !string.IsNullOrWhiteSpace(value)
            && !int.TryParse(value, out _)
            && !value.Contains(',', StringComparison.Ordinal)
            && Enum.TryParse(value, ignoreCase: true, out result)
            && Enum.IsDefined(result);
    }
}
