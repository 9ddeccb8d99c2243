using System.Text;
using System.Text.Json;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>
/// Reads CSV strictly as RFC 4180 writes it: fields separated by commas, each record ended by CRLF, a field in quotes may
/// hold commas, line breaks and quotes (doubled). Anything else (a bare LF, a quote inside an unquoted field, records of
/// different widths) fails the test that reads it.
/// </summary>
internal static class Rfc4180
{
    public static IReadOnlyList<string[]> Parse(string text)
    {
        var records = new List<string[]>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var wasQuoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }

                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0 && !wasQuoted:
                    quoted = wasQuoted = true;
                    break;
                case ',':
                    record.Add(field.ToString());
                    field.Clear();
                    wasQuoted = false;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    record.Add(field.ToString());
                    field.Clear();
                    wasQuoted = false;
                    records.Add([.. record]);
                    record.Clear();
                    i++;
                    break;
                case '"' or '\r' or '\n':
                    throw new ShouldAssertException($"Not RFC 4180 at character {i}: {(c == '"' ? "a quote inside an unquoted field" : "a line break that is not CRLF outside quotes")}.");
                default:
                    field.Append(c);
                    break;
            }
        }

        (quoted || field.Length > 0 || record.Count > 0).ShouldBeFalse("every record, the last one too, ends with CRLF");
        records.ShouldNotBeEmpty("a header row at least");
        records.ShouldAllBe(r => r.Length == records[0].Length, "every record has as many fields as the header");
        return records;
    }

    /// <summary>
    /// Holds the CSV to the JSON list it was exported beside: the header names each JSON item's scalar properties in order,
    /// and each row holds those values as text, in the same order, a would-be formula behind an apostrophe.
    /// </summary>
    public static void ShouldMatchJson(IReadOnlyList<string[]> csv, JsonElement items)
    {
        var rows = csv.Skip(1).ToList();
        rows.Count.ShouldBe(items.GetArrayLength());
        foreach (var (row, item) in rows.Zip(items.EnumerateArray()))
        {
            var scalars = item.EnumerateObject().Where(p => p.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array)).ToList();
            csv[0].ShouldBe(scalars.Select(p => p.Name).ToArray());
            row.ShouldBe(scalars.Select(p => AsCell(p.Value)).ToArray());
        }
    }

    private static string AsCell(JsonElement value)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Null => "",
            _ => value.GetRawText(),
        };
        return text.Length > 0 && "=+-@\t\r".Contains(text[0], StringComparison.Ordinal) ? "'" + text : text;
    }
}
