using System.Globalization;

namespace SplitCcp.Core;

/// <summary>Rules for names people read in lists and logs (tenants, users, tokens), shared so every folder refuses the same characters.</summary>
public static class DisplayText
{
    /// <summary>Control characters break lists and logs; invisible formatting characters (such as a right-to-left override) can disguise a name.</summary>
    public static string? HiddenCharacters(string value) =>
        value.Any(char.IsControl) ? "Remove control characters such as tabs or line breaks."
        : value.Any(c => char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            ? "Remove invisible formatting characters such as direction marks or line separators."
        : null;

    /// <summary>"1 agent user", "3 agent users": a number with its noun, for messages.</summary>
    public static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
