using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using SplitCcp.Core.Aws;

namespace SplitCcp.Tests.Core.Aws;

public sealed class AwsRateLimiterTests
{
    private static readonly AwsRateKey s_describe = new("111111111111", "eu-west-2", "connect", "DescribeInstance");

    [Fact]
    public async Task AcquireAsync_WithinBurst_ReturnsAtOnce()
    {
        var time = new FakeTimeProvider();
        var limiter = new AwsRateLimiter(time, _ => AwsRateLimit.Connect);

        for (var i = 0; i < 5; i++)
        {
            var acquire = limiter.AcquireAsync(s_describe, CancellationToken.None).AsTask();
            acquire.IsCompleted.ShouldBeTrue($"call {i + 1} of a burst of 5");
            await acquire;
        }
    }

    [Fact]
    public async Task AcquireAsync_PastBurst_WaitsForTheRefillRate()
    {
        var time = new FakeTimeProvider();
        var limiter = new AwsRateLimiter(time, _ => AwsRateLimit.Connect);
        for (var i = 0; i < 5; i++)
        {
            await limiter.AcquireAsync(s_describe, CancellationToken.None);
        }

        var sixth = limiter.AcquireAsync(s_describe, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(499));
        await Task.Yield();
        sixth.IsCompleted.ShouldBeFalse("2 per second means one token every 500 ms");

        time.Advance(TimeSpan.FromMilliseconds(1));
        await sixth.WaitAsync(TimeSpan.FromSeconds(5));
        sixth.IsCompletedSuccessfully.ShouldBeTrue();
    }

    [Fact]
    public async Task AcquireAsync_OtherAccountOrOperation_HasItsOwnBudget()
    {
        var time = new FakeTimeProvider();
        var limiter = new AwsRateLimiter(time, _ => AwsRateLimit.Connect);
        for (var i = 0; i < 5; i++)
        {
            await limiter.AcquireAsync(s_describe, CancellationToken.None);
        }

        var otherAccount = limiter.AcquireAsync(s_describe with { AccountId = "222222222222" }, CancellationToken.None).AsTask();
        var otherOperation = limiter.AcquireAsync(s_describe with { Operation = "ListInstances" }, CancellationToken.None).AsTask();

        otherAccount.IsCompleted.ShouldBeTrue();
        otherOperation.IsCompleted.ShouldBeTrue();
        limiter.BucketCount.ShouldBe(3);
    }

    [Fact]
    public async Task AcquireAsync_AfterAccountsFallIdle_LetsTheirFullBucketsGo()
    {
        var time = new FakeTimeProvider();
        var limiter = new AwsRateLimiter(time, _ => AwsRateLimit.Connect);
        for (var account = 0; account < 100; account++)
        {
            await limiter.AcquireAsync(s_describe with { AccountId = $"{account:D12}" }, CancellationToken.None);
        }

        time.Advance(AwsRateLimiter.SweepInterval);
        await limiter.AcquireAsync(s_describe, CancellationToken.None);

        limiter.BucketCount.ShouldBe(1, "a bucket refilled to its burst is what a new one would be, so keeping it tells nothing");
    }

    [Fact]
    public async Task AcquireAsync_AfterASweep_StillLimitsAnAccountThatHasNotRefilled()
    {
        var time = new FakeTimeProvider();
        var limiter = new AwsRateLimiter(time, _ => new AwsRateLimit(0.02, 5));
        for (var i = 0; i < 5; i++)
        {
            await limiter.AcquireAsync(s_describe, CancellationToken.None);
        }

        // A token every 50 s: a sweep interval later the drained bucket holds 0.6 of one, and the sweep on this call keeps it.
        time.Advance(AwsRateLimiter.SweepInterval);
        var next = limiter.AcquireAsync(s_describe, CancellationToken.None).AsTask();
        await Task.Yield();

        next.IsCompleted.ShouldBeFalse("the account spent its burst and has not earned a token back yet");
        limiter.BucketCount.ShouldBe(1);
        time.Advance(TimeSpan.FromSeconds(20));
        await next.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AcquireAsync_Cancelled_StopsWaiting()
    {
        var time = new FakeTimeProvider();
        var limiter = new AwsRateLimiter(time, _ => new AwsRateLimit(1, 1));
        await limiter.AcquireAsync(s_describe, CancellationToken.None);
        using var cts = new CancellationTokenSource();

        var waiting = limiter.AcquireAsync(s_describe, cts.Token).AsTask();
        await cts.CancelAsync();

        await Should.ThrowAsync<TaskCanceledException>(() => waiting);
    }

    [Fact]
    public async Task AcquireAsync_CallsBackToBackForTenSimulatedSeconds_GrantsBurstPlusRate()
    {
        var time = new FakeTimeProvider();
        var limiter = new AwsRateLimiter(time, _ => AwsRateLimit.Connect);
        var start = time.GetUtcNow();
        var granted = 0;

        while (time.GetUtcNow() - start < TimeSpan.FromSeconds(10))
        {
            var acquire = limiter.AcquireAsync(s_describe, CancellationToken.None).AsTask();
            while (!acquire.IsCompleted && time.GetUtcNow() - start < TimeSpan.FromSeconds(10))
            {
                time.Advance(TimeSpan.FromMilliseconds(10));
                await Task.Yield();
            }

            if (acquire.IsCompletedSuccessfully)
            {
                granted++;
            }
        }

        // A burst of 5, then one every 500 ms: 5 + 2 × 10 s, give or take the last one at the edge.
        granted.ShouldBeInRange(24, 25);
    }

    [Fact]
    public void Bind_OneServicesRate_ChangesNoOtherServiceNorTheDefaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Services:sso:RatePerSecond"] = "100000",
            ["Services:connect:Burst"] = "100000",
        }).Build();
        var options = new AwsRateLimitOptions();

        configuration.Bind(options);

        options.Services["sso"].RatePerSecond.ShouldBe(100000);
        options.Services["identitystore"].ShouldBe(new AwsRateLimit(20, 20), "Identity Store is configured on its own");
        options.Services["connect"].ShouldBe(new AwsRateLimit(2, 100000));
        AwsRateLimit.Connect.ShouldBe(new AwsRateLimit(2, 5), "one host's settings must not change another's defaults");
        AwsRateLimit.IdentityCenter.ShouldBe(new AwsRateLimit(20, 20));
        new AwsRateLimitOptions().Services["connect"].ShouldBe(new AwsRateLimit(2, 5));
    }
}
