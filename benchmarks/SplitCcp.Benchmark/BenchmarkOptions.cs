using System.Globalization;

namespace SplitCcp.Benchmark;

/// <summary>Where the benchmark's portal keeps its data: the embedded default, or a PostgreSQL server it starts for itself.</summary>
internal enum BenchmarkProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// The benchmark's command line: <c>[--tenants N] [--latency 25ms] [--concurrency N] [--requests N] [--replicas N]
/// [--provider Sqlite|PostgreSql] [--keep]</c>.
/// </summary>
internal sealed record BenchmarkOptions(int Tenants, TimeSpan Latency, int? Concurrency, int Requests, bool Keep, int Replicas = 1, BenchmarkProvider Provider = BenchmarkProvider.Sqlite)
{
    /// <summary>More replicas than this would only share this machine's cores more thinly.</summary>
    public const int MaxReplicas = 8;

    public const string Usage = """
        Usage: dotnet run -c Release --project benchmarks/SplitCcp.Benchmark -- [options]

          --tenants N       Sandbox tenants, each its own account (default 100)
          --latency T       latency added to every AWS call in the measured passes: 25ms, 0.5s, 0 (default 25ms)
          --concurrency N   tenants checked at once (default: the drift worker's, SplitCcp:Drift:MaxConcurrency)
          --requests N      timed requests per dashboard measurement (default 200)
          --replicas N      portal processes sharing the drift passes, 1 to 8 (default 1; more than 1 needs PostgreSql)
          --provider P      Sqlite or PostgreSql: the embedded database, or a throwaway PostgreSQL server the
                            benchmark starts on this machine (initdb and pg_ctl on the PATH or in /usr/lib/postgresql)
          --keep            keep the temporary data folder and print where it is
        """;

    /// <summary>The options, or null with the reason when the command line is not understood.</summary>
    public static (BenchmarkOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        var options = new BenchmarkOptions(100, TimeSpan.FromMilliseconds(25), null, 200, false);
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : "";
            switch (args[i])
            {
                case "--tenants" when int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 100_000:
                    options = options with { Tenants = n };
                    break;
                case "--latency" when ParseDuration(Next()) is { } latency:
                    options = options with { Latency = latency };
                    break;
                case "--concurrency" when int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 1024:
                    options = options with { Concurrency = n };
                    break;
                case "--requests" when int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 100_000:
                    options = options with { Requests = n };
                    break;
                case "--replicas" when int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= MaxReplicas:
                    options = options with { Replicas = n };
                    break;
                case "--provider" when ParseProvider(Next()) is { } provider:
                    options = options with { Provider = provider };
                    break;
                case "--keep":
                    options = options with { Keep = true };
                    break;
                default:
                    return (null, $"Not understood: {string.Join(' ', args.Skip(Math.Max(0, i - 1)).Take(2))}");
            }
        }

        return options is { Replicas: > 1, Provider: BenchmarkProvider.Sqlite }
            ? (null, "--replicas above 1 needs --provider PostgreSql: replicas share one database, and SQLite's file belongs to one process.")
            : (options, null);
    }

    /// <summary>A provider by its name, in any case; numbers are not names.</summary>
    private static BenchmarkProvider? ParseProvider(string text) =>
        Enum.GetValues<BenchmarkProvider>().Select(p => (BenchmarkProvider?)p).FirstOrDefault(p => string.Equals(p.ToString(), text, StringComparison.OrdinalIgnoreCase));

    /// <summary>25ms, 0.5s, 0, or a TimeSpan such as 00:00:00.025.</summary>
    private static TimeSpan? ParseDuration(string text)
    {
        static double? Number(string s) =>
            double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value : null;
        var duration = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) && Number(text[..^2]) is { } ms => TimeSpan.FromMilliseconds(ms),
            _ when text.EndsWith('s') && Number(text[..^1]) is { } s => TimeSpan.FromSeconds(s),
            "0" => TimeSpan.Zero,
            _ when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) => span,
            _ => (TimeSpan?)null,
        };
        return duration is { } d && d >= TimeSpan.Zero && d <= TimeSpan.FromSeconds(10) ? d : null;
    }
}
