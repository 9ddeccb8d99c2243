using System.Text;

namespace SplitCcp.Core.Ccp.Policies;

/// <summary>Builds a regedit "version 5.00" file: CRLF lines, keys in brackets, string values in double quotes.</summary>
internal sealed class RegistryFile
{
    private readonly StringBuilder _text = new("Windows Registry Editor Version 5.00\r\n");

    public RegistryFile Comment(params string[] lines)
    {
        _text.Append("\r\n");
        foreach (var line in lines)
        {
            _text.Append("; ").Append(line).Append("\r\n");
        }

        return this;
    }

    /// <summary>Deletes the key, then writes it with values "1", "2", …: importing the file again replaces the list.</summary>
    public RegistryFile List(string key, IEnumerable<string> values)
    {
        _text.Append("\r\n[-").Append(key).Append("]\r\n\r\n[").Append(key).Append("]\r\n");
        var number = 0;
        foreach (var value in values)
        {
            number++;
            _text.Append('"').Append(number).Append("\"=").Append(String(value)).Append("\r\n");
        }

        return this;
    }

    /// <summary>Ends with a blank line: regedit can skip a last line that has no line break after it.</summary>
    public override string ToString() => _text.ToString() + "\r\n";

    /// <summary>
    /// Inside a quoted string regedit treats only <c>\</c> and <c>"</c> specially, so escaping both keeps any value
    /// on its own line as data. A line break would end the line and let the rest start a key, so it is refused.
    /// </summary>
    private static string String(string value)
    {
        if (value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029'))
        {
            throw new ArgumentException($"A .reg file cannot carry line breaks or other control characters: {Printable(value)}", nameof(value));
        }

        return "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    private static string Printable(string value) =>
        string.Concat(value.Select(c => char.IsControl(c) || c is '\u2028' or '\u2029' ? $"\\u{(int)c:X4}" : c.ToString()));
}
