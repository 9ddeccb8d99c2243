using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using SplitCcp.Core.Reconciliation.Drift;

namespace SplitCcp.Web.Components.Drift;

/// <summary>Durations, moments and history stretches in the words the dashboard and the tenant page use.</summary>
internal static class DriftText
{
    public static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n.ToString("N0", CultureInfo.InvariantCulture)} {noun}s";

    /// <summary>Values longer than this, or on several lines, are shown one above the other rather than side by side.</summary>
    public const int SideBySideLength = 48;

    /// <summary>
    /// A drift value as shown: a JSON object or array (a policy, a list of origins) indented so it can be read, anything else
    /// as it is. The text is HTML-encoded when it is rendered, so the relaxed JSON escaping only keeps "+" and non-ASCII legible.
    /// </summary>
    public static string Value(string value)
    {
        var trimmed = value.AsSpan().Trim();
        if (trimmed.Length < 2 || trimmed[0] is not ('{' or '['))
        {
            return value;
        }

        try
        {
            using var document = JsonDocument.Parse(value);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                document.WriteTo(writer);
            }

            return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (JsonException)
        {
            return value;
        }
    }

    /// <summary>"850 ms", "4.2 s", "3 min 5 s", "1 h 20 min".</summary>
    public static string Duration(TimeSpan span) =>
        span.TotalSeconds < 1 ? $"{Math.Max(0, (int)Math.Round(span.TotalMilliseconds))} ms"
        : span.TotalSeconds < 60 ? $"{span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s"
        : span.TotalMinutes < 60 ? (span.Seconds == 0 ? $"{(int)span.TotalMinutes} min" : $"{(int)span.TotalMinutes} min {span.Seconds} s")
        : span.Minutes == 0 ? $"{(int)span.TotalHours} h" : $"{(int)span.TotalHours} h {span.Minutes} min";

    /// <summary>A moment in UTC, as short as the distance from <paramref name="now"/> allows: "10:05", "Mar 3 10:05", "2025-11-02".</summary>
    public static string Moment(DateTime value, DateTime now) =>
        value.Date == now.Date ? value.ToString("HH:mm", CultureInfo.InvariantCulture)
        : value.Year == now.Year ? value.ToString("MMM d HH:mm", CultureInfo.InvariantCulture)
        : value.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>"Drifted from 10:05 to 10:35, 7 checks, 2 resources"; a stretch of one check has no "to".</summary>
    public static string Stretch(DriftHistoryEntry entry, DateTime now)
    {
        var from = Moment(entry.FirstCheckedAt, now);
        var span = entry.Checks <= 1 || entry.LastCheckedAt - entry.FirstCheckedAt < TimeSpan.FromMinutes(1)
            ? $"at {from}"
            : $"from {from} to {Moment(entry.LastCheckedAt, entry.FirstCheckedAt)}";
        var parts = new List<string> { $"{HealthStatusChip.LabelOf(entry.Status)} {span}", Count(entry.Checks, "check") };
        if (entry.DriftedCount > 0)
        {
            parts.Add(Count(entry.DriftedCount, "resource") + " out of line");
        }

        if (entry.ErrorCount > 0)
        {
            parts.Add(Count(entry.ErrorCount, "error"));
        }

        return string.Join(", ", parts);
    }
}
