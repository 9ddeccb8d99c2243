using System.Net;
using Microsoft.Extensions.Time.Testing;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Observability;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Tests.Core.Sandbox;

namespace SplitCcp.Tests.Core.Observability;

public sealed class PortalMetricsTests
{
    private static readonly AwsOperation s_describe = ConnectOperations.DescribeInstance;

    [Fact]
    public void RecordCheck_DurationsAroundBounds_CountInTheirBucketAndEveryLargerOne()
    {
        var metrics = new PortalMetrics();

        metrics.RecordCheck(TimeSpan.FromMilliseconds(10), TenantHealthStatus.Healthy);
        metrics.RecordCheck(TimeSpan.FromMilliseconds(100), TenantHealthStatus.Healthy);
        metrics.RecordCheck(TimeSpan.FromMilliseconds(101), TenantHealthStatus.Healthy);
        metrics.RecordCheck(TimeSpan.FromMinutes(5), TenantHealthStatus.Healthy);
        metrics.RecordCheck(TimeSpan.FromSeconds(1), TenantHealthStatus.Failing);

        var healthy = metrics.CheckDurations(TenantHealthStatus.Healthy);
        healthy.Bounds.ShouldBe(PortalMetrics.CheckDurationBuckets);
        CountAtOrBelow(healthy, 0.05).ShouldBe(1);
        CountAtOrBelow(healthy, 0.1).ShouldBe(2, "a bucket's bound is inclusive (le)");
        CountAtOrBelow(healthy, 0.25).ShouldBe(3);
        CountAtOrBelow(healthy, 120).ShouldBe(3);
        healthy.Count.ShouldBe(4);
        healthy.Sum.ShouldBe(300.211, tolerance: 1e-9);
        metrics.CheckDurations(TenantHealthStatus.Failing).Count.ShouldBe(1);
        metrics.CheckDurations(TenantHealthStatus.Drifted).Count.ShouldBe(0);
    }

    [Fact]
    public async Task RecordCheck_FromManyThreads_LosesNothing()
    {
        var metrics = new PortalMetrics();

        await Parallel.ForAsync(0, 10_000, (i, _) =>
        {
            metrics.RecordCheck(TimeSpan.FromMilliseconds(i % 200), TenantHealthStatus.Drifted);
            metrics.RecordAwsAttempt(AwsServices.Iam, TimeSpan.FromTicks(1));
            return ValueTask.CompletedTask;
        });

        metrics.CheckDurations(TenantHealthStatus.Drifted).Count.ShouldBe(10_000);
        var iam = metrics.AwsServices().ShouldHaveSingleItem();
        iam.Attempts.ShouldBe(10_000);
        iam.RateLimitWait.ShouldBe(TimeSpan.FromTicks(10_000));
    }

    [Fact]
    public async Task CallAsync_ThrottledTwiceThenAnswered_CountsThreeAttemptsAndTwoThrottles()
    {
        var metrics = new PortalMetrics();
        var caller = Caller(metrics, TimeProvider.System);
        var attempts = 0;

        var result = await caller.CallAsync(s_describe, "instance", _ => ++attempts <= 2
            ? throw Failure(HttpStatusCode.TooManyRequests, "ThrottlingException")
            : Task.FromResult("answer"), CancellationToken.None);

        result.ShouldBe("answer");
        var connect = metrics.AwsServices().ShouldHaveSingleItem();
        connect.Service.ShouldBe(AwsServices.Connect);
        connect.Attempts.ShouldBe(3);
        connect.Throttled.ShouldBe(2);
        connect.Failures.Where(f => f.Key != AwsFailureKind.Throttled).ShouldAllBe(f => f.Value == 0);
    }

    [Fact]
    public async Task CallAsync_FailuresOfEachKind_CountedByKindOnce()
    {
        var metrics = new PortalMetrics();
        var caller = Caller(metrics, TimeProvider.System, maxRetries: 0);

        await Should.ThrowAsync<AwsCallException>(() => caller.CallAsync<int>(s_describe, null,
            _ => throw Failure(HttpStatusCode.BadRequest, "AccessDeniedException"), CancellationToken.None));
        await Should.ThrowAsync<AwsCallException>(() => caller.CallAsync<int>(s_describe, null,
            _ => throw new HttpRequestException("connection refused"), CancellationToken.None));
        await Should.ThrowAsync<AwsCallException>(() => caller.CallAsync<int>(StsOperations.GetCallerIdentity, null,
            _ => throw Failure(HttpStatusCode.InternalServerError, "InternalFailure"), CancellationToken.None));

        var services = metrics.AwsServices();
        services.Select(s => s.Service).ShouldBe([AwsServices.Connect, AwsServices.Sts]);
        services[0].Attempts.ShouldBe(2);
        services[0].Failures[AwsFailureKind.AccessDenied].ShouldBe(1);
        services[0].Failures[AwsFailureKind.Unreachable].ShouldBe(1);
        services[0].Throttled.ShouldBe(0);
        services[1].Failures[AwsFailureKind.ServiceError].ShouldBe(1);
    }

    [Fact]
    public async Task CallAsync_HeldByTheRateLimiter_RecordsTheWaitOnItsClock()
    {
        var metrics = new PortalMetrics();
        var time = new FakeTimeProvider();
        var caller = new AwsCaller("111111111111", "eu-west-2", new AwsRateLimiter(time, _ => new AwsRateLimit(2, 1)), new AwsRateLimitOptions(),
            new AwsRetry(new AwsRetryOptions(), time), metrics);

        await caller.CallAsync(s_describe, null, _ => Task.FromResult(1), CancellationToken.None);
        var second = caller.CallAsync(s_describe, null, _ => Task.FromResult(2), CancellationToken.None);
        second.IsCompleted.ShouldBeFalse("the bucket of one is empty");
        metrics.AwsServices().Single().Attempts.ShouldBe(1, "an attempt counts once the limiter lets it go");
        time.Advance(TimeSpan.FromMilliseconds(500));
        await second.WaitAsync(TimeSpan.FromSeconds(5));

        var connect = metrics.AwsServices().Single();
        connect.Attempts.ShouldBe(2);
        connect.RateLimitWait.ShouldBe(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task CallAsync_SandboxInjectsThrottling_CountsEveryAttemptAndThrottleItInjected()
    {
        await using var world = await SandboxTestWorld.StartAsync(maxRetries: 30);
        world.Options.CurrentValue = new() { ThrottleRate = 0.4 };

        for (var i = 0; i < 20; i++)
        {
            await world.Account.Sts.GetCallerIdentityAsync(CancellationToken.None);
        }

        var sts = world.Metrics.AwsServices().ShouldHaveSingleItem();
        world.Faults.Throttles.ShouldBeGreaterThan(0, "40 % of 20+ attempts");
        sts.Throttled.ShouldBe(world.Faults.Throttles);
        sts.Attempts.ShouldBe(world.Faults.Attempts);
        sts.Attempts.ShouldBe(20 + sts.Throttled, "each throttled attempt was retried once more");
    }

    private static long CountAtOrBelow(HistogramSnapshot histogram, double bound) =>
        histogram.CumulativeCounts[histogram.Bounds.ToList().IndexOf(bound)];

    private static AwsCaller Caller(PortalMetrics metrics, TimeProvider time, int maxRetries = 5) =>
        new("111111111111", "eu-west-2", new AwsRateLimiter(time, _ => new AwsRateLimit(1e9, int.MaxValue)), new AwsRateLimitOptions(),
            new AwsRetry(new AwsRetryOptions { MaxRetries = maxRetries, BaseDelay = TimeSpan.Zero }, time, () => 0), metrics);

    private static AwsCallException Failure(HttpStatusCode status, string code) =>
        new(AwsFailure.FromError(AwsServices.Connect, "DescribeInstance", null, status, code, "test"));
}
