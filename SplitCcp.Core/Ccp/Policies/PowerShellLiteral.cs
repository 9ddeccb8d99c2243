using System.Text;

namespace SplitCcp.Core.Ccp.Policies;

/// <summary>Writes a string as a PowerShell expression whose value is exactly that string and nothing else.</summary>
internal static class PowerShellLiteral
{
    /// <summary>
    /// Printable ASCII becomes a single-quoted literal with <c>'</c> doubled: inside one, PowerShell expands nothing
    /// (no <c>$</c>, no backtick) and only a quote can end it. Anything else goes through base64, so the script stays
    /// pure ASCII: Windows PowerShell 5.1 reads a script without a byte-order mark as ANSI, where the UTF-8 bytes of a
    /// character such as U+0111 include 0x91, a curly quote in Windows-1252, and PowerShell ends single-quoted strings
    /// at curly quotes too. Base64 also keeps line breaks out of the script's own lines.
    /// </summary>
    public static string For(string value) =>
        value.All(c => c is >= ' ' and <= '~')
            ? "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'"
            : "([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('"
                + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + "')))";

    public static string Array(IEnumerable<string> values) => "@(" + string.Join(", ", values.Select(For)) + ")";
}
