using System.Text.RegularExpressions;
using SplitCcp.Benchmark;

namespace SplitCcp.Tests.Benchmark;

/// <summary>The benchmark end to end on a handful of tenants: that it runs and reports, never how fast.</summary>
[Collection(SplitCcp.Tests.Core.Reconciliation.RealTimeTests.Name)]
public sealed partial class DriftBenchmarkTests
{
    [Fact]
    public async Task RunAsync_ThreeTenantsWithoutLatency_ConvergesThemChecksThemAndReportsEveryFigure()
    {
        await using var output = new StringWriter();

        // 1 ms, not the default 0: the reload that sets the latency must be seen to take.
        var exitCode = await DriftBenchmark.RunAsync(["--tenants", "3", "--latency", "1ms", "--requests", "3"], output);

        var report = output.ToString();
        exitCode.ShouldBe(0, report);
        report.ShouldContain("setup: 3 tenants converged in");
        foreach (var pass in new[] { "warm-up pass (no latency)", "pass 1", "pass 2" })
        {
            report.ShouldContain($"{pass}: ");
            Regex.IsMatch(report, $@"{Regex.Escape(pass)}: [\d.]+ s for 3 tenants .*: 3 Healthy, 0 Drifted, 0 Pending, 0 Failing, 0 Unknown").ShouldBeTrue(report);
        }

        Regex.IsMatch(report, @"AWS calls \d+ \([\d.]+ per tenant\); throttled 0 \(over AWS's rates 0\)").ShouldBeTrue(report);
        report.ShouldContain("lower bound ");
        report.ShouldContain("peak memory ");
        Regex.IsMatch(report, @"pass 2: [\d.]+ s for 3 tenants \(1 ms latency").ShouldBeTrue(report);
        report.ShouldContain("latency set to 1 ms through a configuration reload; the Sandbox's options now say 1 ms");
        report.ShouldContain("GET /api/health/tenants?pageSize=25 (API token): median ");
        report.ShouldContain("GET / (prerendered, signed in): median ");
        report.ShouldContain("DriftService.ListAsync, first page of 25: median ");
        report.ShouldContain("| 3 | 1 | pass 1 |");
        var folder = DataFolder().Match(report);
        folder.Success.ShouldBeTrue(report);
        Directory.Exists(folder.Groups["folder"].Value).ShouldBeFalse("the temporary data folder is removed");
    }

    [Fact]
    public async Task RunAsync_AnUnknownOption_PrintsUsageAndFails()
    {
        await using var output = new StringWriter();

        var exitCode = await DriftBenchmark.RunAsync(["--tenant", "3"], output);

        exitCode.ShouldBe(2);
        output.ToString().ShouldContain("Usage: dotnet run -c Release --project benchmarks/SplitCcp.Benchmark -- [options]");
    }

    [Fact]
    public async Task RunAsync_TwoReplicasOnPostgreSql_SplitEachPassSoEveryTenantIsCheckedOnce()
    {
        await using var output = new StringWriter();

        var exitCode = await DriftBenchmark.RunAsync(["--tenants", "6", "--latency", "1ms", "--requests", "3", "--provider", "PostgreSql", "--replicas", "2"], output);

        var report = output.ToString();
        exitCode.ShouldBe(0, report);
        report.ShouldContain("replica 2 started: process ");
        foreach (var pass in new[] { "pass 1 of 1 replica", "pass 1 of 2 replicas", "pass 2 of 2 replicas" })
        {
            Regex.IsMatch(report, $@"{Regex.Escape(pass)}: [\d.]+ s for 6 tenants .*: 6 Healthy, 0 Drifted").ShouldBeTrue(report);
        }

        // Each of the two replicas reports its share; the shares add up to the six tenants, none checked twice.
        var shares = ReplicaShare().Matches(report[report.IndexOf("pass 2 of 2 replicas", StringComparison.Ordinal)..]).Take(2).Select(m => int.Parse(m.Groups["checked"].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        shares.Count.ShouldBe(2, report);
        shares.Sum().ShouldBe(6, report);
        report.ShouldContain("| 6 | 2 | pass 2 of 2 replicas |");
        report.ShouldContain("PostgreSQL database ");
    }

    [Fact]
    public async Task RunAsync_ReplicasOnSqlite_IsRefusedWithTheReason()
    {
        await using var output = new StringWriter();

        var exitCode = await DriftBenchmark.RunAsync(["--tenants", "3", "--replicas", "2"], output);

        exitCode.ShouldBe(2);
        output.ToString().ShouldContain("--replicas above 1 needs --provider PostgreSql");
    }

    [GeneratedRegex(@"replica \d \(process \d+\): (?<checked>\d+) tenants in ")]
    private static partial Regex ReplicaShare();

    [GeneratedRegex(@"data folder: (?<folder>\S+) \(temporary\)")]
    private static partial Regex DataFolder();
}
