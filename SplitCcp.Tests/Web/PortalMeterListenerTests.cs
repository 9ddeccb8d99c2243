using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Tests.Infrastructure;
using SplitCcp.Web.Metrics;

namespace SplitCcp.Tests.Web;

public sealed class PortalMeterListenerTests : IDisposable
{
    private static readonly (string, string)[] s_healthy = [("status", nameof(TenantHealthStatus.Healthy))];

    private readonly TestMeterFactory _meters = new();
    private readonly PortalMeterListener _listener;

    public PortalMeterListenerTests() => _listener = new PortalMeterListener(_meters);

    [Fact]
    public void Collect_CheckDurationsAroundBounds_CountInTheirBucketAndEveryLargerOne()
    {
        var drift = new DriftMetrics(_meters);

        drift.RecordCheck(TimeSpan.FromMilliseconds(10), TenantHealthStatus.Healthy);
        drift.RecordCheck(TimeSpan.FromMilliseconds(100), TenantHealthStatus.Healthy);
        drift.RecordCheck(TimeSpan.FromMilliseconds(101), TenantHealthStatus.Healthy);
        drift.RecordCheck(TimeSpan.FromMinutes(5), TenantHealthStatus.Healthy);
        drift.RecordCheck(TimeSpan.FromSeconds(1), TenantHealthStatus.Failing);

        var snapshot = _listener.Collect();
        var healthy = snapshot.Histogram(DriftMetrics.CheckDuration, s_healthy).ShouldNotBeNull();
        healthy.Bounds.ShouldBe(DriftMetrics.CheckDurationBuckets, "the bounds the instrument advises");
        CountAtOrBelow(healthy, 0.05).ShouldBe(1);
        CountAtOrBelow(healthy, 0.1).ShouldBe(2, "a bucket's bound is inclusive (le)");
        CountAtOrBelow(healthy, 0.25).ShouldBe(3);
        CountAtOrBelow(healthy, 120).ShouldBe(3);
        healthy.Count.ShouldBe(4);
        healthy.Sum.ShouldBe(300.211, tolerance: 1e-9);
        snapshot.Histogram(DriftMetrics.CheckDuration, [("status", nameof(TenantHealthStatus.Failing))]).ShouldNotBeNull().Count.ShouldBe(1);
        var drifted = snapshot.Histogram(DriftMetrics.CheckDuration, [("status", nameof(TenantHealthStatus.Drifted))]).ShouldNotBeNull();
        drifted.Count.ShouldBe(0, "never recorded: an empty histogram on the same bounds");
        drifted.Bounds.ShouldBe(DriftMetrics.CheckDurationBuckets);
    }

    [Fact]
    public async Task Collect_RecordedFromManyThreads_LosesNothing()
    {
        var drift = new DriftMetrics(_meters);
        var aws = new AwsCallMetrics(_meters);

        await Parallel.ForAsync(0, 10_000, (i, _) =>
        {
            drift.RecordCheck(TimeSpan.FromMilliseconds(i % 200), TenantHealthStatus.Healthy);
            aws.Attempt(AwsServices.Iam, TimeSpan.FromMilliseconds(1));
            return ValueTask.CompletedTask;
        });

        var snapshot = _listener.Collect();
        snapshot.Histogram(DriftMetrics.CheckDuration, s_healthy).ShouldNotBeNull().Count.ShouldBe(10_000);
        snapshot.Value(AwsCallMetrics.Calls, [("service", AwsServices.Iam)]).ShouldBe(10_000);
        snapshot.Value(AwsCallMetrics.RateLimitWait, [("service", AwsServices.Iam)]).ShouldBe(10, tolerance: 1e-9);
    }

    [Fact]
    public void Collect_SameMeterOfAnotherFactory_IsNotThisHostsAndNotCounted()
    {
        using var otherHost = new TestMeterFactory();
        new AwsCallMetrics(otherHost).Attempt(AwsServices.Sts, TimeSpan.Zero);
        new AwsCallMetrics(_meters).Attempt(AwsServices.Connect, TimeSpan.Zero);

        var snapshot = _listener.Collect();

        snapshot.Series(AwsCallMetrics.Calls).ShouldHaveSingleItem().Labels["service"].ShouldBe(AwsServices.Connect);
        snapshot.Value(AwsCallMetrics.Calls, [("service", AwsServices.Sts)]).ShouldBe(0);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _meters.Dispose();
    }

    private static long CountAtOrBelow(HistogramSnapshot histogram, double bound) =>
        histogram.CumulativeCounts[histogram.Bounds.ToList().IndexOf(bound)];
}
