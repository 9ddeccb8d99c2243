using System.Text;

namespace SplitCcp.Core.Ccp.Policies;

/// <summary>
/// Quotes one argument so that the Windows C runtime's command-line parser (and <c>CommandLineToArgvW</c>, which Chrome,
/// Firefox and .NET programs such as Image Assistant use) reads it back as exactly that argument.
/// </summary>
internal static class WindowsCommandLine
{
    public static string Quote(string argument)
    {
        var quoted = new StringBuilder(argument.Length + 2).Append('"');
        var backslashes = 0;
        foreach (var c in argument)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            // Backslashes are literal except right before a quote, where each pair means one backslash.
            quoted.Append('\\', c == '"' ? (2 * backslashes) + 1 : backslashes).Append(c);
            backslashes = 0;
        }

        // The closing quote follows, so trailing backslashes are doubled too.
        return quoted.Append('\\', 2 * backslashes).Append('"').ToString();
    }
}
