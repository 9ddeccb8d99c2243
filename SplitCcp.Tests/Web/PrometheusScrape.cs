using System.Globalization;
using System.Text;

namespace SplitCcp.Tests.Web;

/// <summary>One sample line: <c>name{label="value",…} value</c>.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public bool Has(params (string Name, string Value)[] labels) => labels.All(l => Labels.TryGetValue(l.Name, out var v) && v == l.Value);
}

/// <summary>
/// A scrape read the way Prometheus reads text format 0.0.4, written independently of the portal's writer so each checks the
/// other: it parses every line strictly (throwing on anything else) and <see cref="Validate"/> checks the rules a scraper relies on.
/// </summary>
internal sealed class PrometheusScrape
{
    private PrometheusScrape()
    {
    }

    public List<PrometheusSample> Samples { get; } = [];

    public Dictionary<string, string> Help { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Types { get; } = new(StringComparer.Ordinal);

    /// <summary>Families in the order their TYPE lines came.</summary>
    public List<string> Families { get; } = [];

    public static PrometheusScrape Parse(string text)
    {
        text.ShouldEndWith("\n", customMessage: "the last line must end with a line feed");
        var scrape = new PrometheusScrape();
        foreach (var line in text[..^1].Split('\n'))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var (name, help) = SplitOnce(line["# HELP ".Length..]);
                scrape.Help.Add(name, UnescapeHelp(help));
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var (name, type) = SplitOnce(line["# TYPE ".Length..]);
                type.ShouldBeOneOf("counter", "gauge", "histogram", "summary", "untyped");
                scrape.Types.Add(name, type);
                scrape.Families.Add(name);
            }
            else
            {
                line.ShouldNotStartWith("#", customMessage: "no other comments are written");
                line.ShouldNotBeNullOrWhiteSpace("no blank lines are written");
                scrape.Samples.Add(ParseSample(line));
            }
        }

        return scrape;
    }

    /// <summary>The value of the single sample with this name and these labels (among others).</summary>
    public double Value(string name, params (string Name, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && s.Has(labels)).ShouldHaveSingleItem($"{name} {string.Join(",", labels)}").Value;

    public IEnumerable<PrometheusSample> Named(string name) => Samples.Where(s => s.Name == name);

    /// <summary>
    /// Every sample belongs to a family with HELP and TYPE given before it, each family's samples are together, and every
    /// histogram's buckets rise with <c>le</c>, never decrease, and end with +Inf equal to its _count.
    /// </summary>
    public void Validate()
    {
        var seen = new List<string>();
        foreach (var sample in Samples)
        {
            var family = FamilyOf(sample.Name);
            family.ShouldNotBeNull($"{sample.Name} has no TYPE line");
            Help.ShouldContainKey(family, $"{family} has no HELP line");
            if (seen.Count == 0 || seen[^1] != family)
            {
                seen.ShouldNotContain(family, $"the samples of {family} are not together");
                seen.Add(family);
            }
        }

        seen.ShouldBe(Families.Where(seen.Contains).ToList(), "samples come in the order of their TYPE lines");

        foreach (var family in Types.Where(t => t.Value == "histogram").Select(t => t.Key))
        {
            var series = Samples.Where(s => s.Name == family + "_bucket").GroupBy(s => Key(s.Labels, "le"));
            foreach (var buckets in series)
            {
                var bounds = buckets.Select(b => ParseValue(b.Labels["le"])).ToList();
                bounds.ShouldBe(bounds.Order().ToList(), $"{family}{{{buckets.Key}}} buckets in rising order of le");
                bounds.Distinct().Count().ShouldBe(bounds.Count);
                bounds[^1].ShouldBe(double.PositiveInfinity, $"{family}{{{buckets.Key}}} ends with le=\"+Inf\"");
                var counts = buckets.Select(b => b.Value).ToList();
                counts.ShouldBe(counts.Order().ToList(), $"{family}{{{buckets.Key}}} buckets are cumulative");
                var count = Samples.Single(s => s.Name == family + "_count" && Key(s.Labels) == buckets.Key).Value;
                counts[^1].ShouldBe(count, $"{family}{{{buckets.Key}}} +Inf bucket equals _count");
                Samples.Count(s => s.Name == family + "_sum" && Key(s.Labels) == buckets.Key).ShouldBe(1);
            }
        }
    }

    private string? FamilyOf(string name)
    {
        if (Types.ContainsKey(name))
        {
            return name;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && Types.TryGetValue(name[..^suffix.Length], out var type) && type == "histogram")
            {
                return name[..^suffix.Length];
            }
        }

        return null;
    }

    private static string Key(IReadOnlyDictionary<string, string> labels, string? except = null) =>
        string.Join(",", labels.Where(l => l.Key != except).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static (string Name, string Text) SplitOnce(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        space.ShouldBePositive($"'{text}' has a name and a value");
        return (text[..space], text[(space + 1)..]);
    }

    private static PrometheusSample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
        {
            i++;
        }

        var name = line[..i];
        name.ShouldNotBeEmpty($"'{line}' starts with a metric name");
        char.IsAsciiDigit(name[0]).ShouldBeFalse();
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var start = i;
                while (line[i] != '=')
                {
                    i++;
                }

                var label = line[start..i];
                i++;
                line[i].ShouldBe('"', $"the value of {label} in '{line}' is quoted");
                i++;
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch
                        {
                            'n' => '\n',
                            '\\' => '\\',
                            '"' => '"',
                            var other => throw new ShouldAssertException($"'\\{other}' is not an escape of the format: {line}"),
                        });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }

                    i++;
                }

                labels.Add(label, value.ToString());
                i++;
                if (line[i] == ',')
                {
                    i++;
                }
            }

            i++;
        }

        line[i].ShouldBe(' ', $"one space between '{name}' and its value in '{line}'");
        var rest = line[(i + 1)..];
        rest.Contains(' ', StringComparison.Ordinal).ShouldBeFalse($"no timestamp is written: '{line}'");
        return new PrometheusSample(name, labels, ParseValue(rest));
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string UnescapeHelp(string text)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }

            i++;
            result.Append(text[i] switch
            {
                'n' => '\n',
                '\\' => '\\',
                var other => throw new ShouldAssertException($"'\\{other}' is not an escape of the format"),
            });
        }

        return result.ToString();
    }
}
