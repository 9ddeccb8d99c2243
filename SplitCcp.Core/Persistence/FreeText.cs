using System.Diagnostics.CodeAnalysis;

namespace SplitCcp.Core.Persistence;

/// <summary>
/// The free-text columns: an apply's error, a step's message, a journal entry's detail, an audit summary, a drift message.
/// They hold at most <see cref="MaxLength"/> characters, which PostgreSQL enforces (SQLite does not), so a longer text, such
/// as a long AWS error message, is clipped as it is set rather than making the save that records it fail.
/// </summary>
public static class FreeText
{
    /// <summary>The length of every free-text column, in characters.</summary>
    public const int MaxLength = 4000;

    private const string Ellipsis = "…";

    /// <summary>
    /// <paramref name="text"/> when it fits in <paramref name="maxLength"/> UTF-16 code units, else its start ending in an
    /// ellipsis, that long; a character of two code units (a surrogate pair) is never split.
    /// </summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Clip(this string? text, int maxLength = MaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, Ellipsis.Length);
        if (text is null || text.Length <= maxLength)
        {
            return text;
        }

        var cut = maxLength - Ellipsis.Length;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return string.Concat(text.AsSpan(0, cut), Ellipsis);
    }
}
