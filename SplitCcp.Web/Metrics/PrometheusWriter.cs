using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SplitCcp.Web.Metrics;

internal enum PrometheusType
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>
/// Writes metrics in Prometheus' text exposition format 0.0.4: a <c># HELP</c> and <c># TYPE</c> line per family, then its
/// samples, one per line. Refuses what a scraper would reject rather than writing it (a bad name, a family written twice,
/// a sample outside its family), so a mistake fails a test instead of a scrape.
/// </summary>
internal sealed partial class PrometheusWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);
    private string? _family;
    private PrometheusType _type;

    /// <summary>Starts a family; its samples follow until the next one starts.</summary>
    public PrometheusWriter Family(string name, PrometheusType type, string help)
    {
        if (!MetricName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a valid metric name.", nameof(name));
        }

        if (!_families.Add(name))
        {
            throw new InvalidOperationException($"The family {name} was already written; a family's samples must be together.");
        }

        _family = name;
        _type = type;
        _text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type.ToString().ToLowerInvariant()).Append('\n');
        return this;
    }

    /// <summary>One sample of the current counter or gauge family.</summary>
    public PrometheusWriter Sample(double value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        if (_family is null || _type == PrometheusType.Histogram)
        {
            throw new InvalidOperationException("A sample belongs to a counter or gauge family: start one first.");
        }

        return Line(_family, labels, null, value);
    }

    /// <summary>One histogram of the current histogram family: its cumulative buckets up to +Inf, its sum and its count.</summary>
    public PrometheusWriter Histogram(HistogramSnapshot histogram, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        if (_family is null || _type != PrometheusType.Histogram)
        {
            throw new InvalidOperationException("A histogram belongs to a histogram family: start one first.");
        }

        for (var i = 0; i < histogram.CumulativeCounts.Count; i++)
        {
            var bound = i < histogram.Bounds.Count ? histogram.Bounds[i] : double.PositiveInfinity;
            Line(_family + "_bucket", labels, Format(bound), histogram.CumulativeCounts[i]);
        }

        Line(_family + "_sum", labels, null, histogram.Sum);
        return Line(_family + "_count", labels, null, histogram.Count);
    }

    public override string ToString() => _text.ToString();

    /// <summary>A label value as the format quotes it: backslash, double quote and line feed escaped.</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>A number as the format writes it: invariant culture, shortest round-trip form, +Inf, -Inf and NaN spelled out.</summary>
    public static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string EscapeHelp(string help) =>
        help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private PrometheusWriter Line(string name, ReadOnlySpan<(string Name, string Value)> labels, string? le, double value)
    {
        _text.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            _text.Append('{');
            var first = true;
            foreach (var (label, labelValue) in labels)
            {
                if (!LabelName().IsMatch(label) || label.StartsWith("__", StringComparison.Ordinal) || (le is not null && label == "le"))
                {
                    throw new ArgumentException($"'{label}' is not a valid label name here.", nameof(labels));
                }

                _text.Append(first ? "" : ",").Append(label).Append("=\"").Append(EscapeLabelValue(labelValue)).Append('"');
                first = false;
            }

            if (le is not null)
            {
                _text.Append(first ? "" : ",").Append("le=\"").Append(le).Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(Format(value)).Append('\n');
        return this;
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();
}

/// <summary>
/// A histogram as Prometheus exposes it: <see cref="CumulativeCounts"/> has one entry per bound (observations at or below
/// it) and a last one for +Inf, which is <see cref="Count"/>.
/// </summary>
internal sealed record HistogramSnapshot(IReadOnlyList<double> Bounds, IReadOnlyList<long> CumulativeCounts, double Sum)
{
    public long Count => CumulativeCounts[^1];

    public static HistogramSnapshot Empty(IReadOnlyList<double> bounds) => new(bounds, new long[bounds.Count + 1], 0);
}
