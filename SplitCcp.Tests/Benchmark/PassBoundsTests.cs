using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Sandbox;
using SplitCcp.Benchmark;

namespace SplitCcp.Tests.Benchmark;

/// <summary>The bounds the benchmark divides its wall time by, worked out by hand for small passes.</summary>
public sealed class PassBoundsTests
{
    private const string Region = "eu-west-2";

    [Fact]
    public void Latency_ThousandTenantsOf32Calls_IsCallsTimesLatencyOverConcurrency() =>
        PassBounds.Latency(32_000, TimeSpan.FromMilliseconds(25), 64).ShouldBe(TimeSpan.FromSeconds(12.5));

    [Fact]
    public void RateLimit_OneAccountOverItsConnectBurst_WaitsForTheRestAtTwoPerSecond()
    {
        // Connect is limited per operation: 9 DescribeInstance calls spend the burst of 5, then 4 more at 2/s take 2 s;
        // 3 ListApprovedOrigins calls stay within their own burst. The other account's 6 calls need 0.5 s.
        SandboxAttemptCount[] calls =
        [
            new("111111111111", Region, ConnectOperations.DescribeInstance, 9),
            new("111111111111", Region, ConnectOperations.ListApprovedOrigins, 3),
            new("222222222222", Region, ConnectOperations.DescribeInstance, 6),
        ];

        PassBounds.RateLimit(calls, new AwsRateLimitOptions()).ShouldBe(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void RateLimit_AServiceLimitedAsAWhole_AddsItsOperationsTogether()
    {
        // IAM: 10/s, burst 10, for all its operations: 15 + 15 calls leave 20 over the burst, 2 s.
        SandboxAttemptCount[] calls =
        [
            new("111111111111", Region, IamOperations.GetRole, 15),
            new("111111111111", Region, IamOperations.GetRole with { Name = "GetPolicy" }, 15),
        ];

        PassBounds.RateLimit(calls, new AwsRateLimitOptions()).ShouldBe(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void RateLimit_NoCalls_IsZero() => PassBounds.RateLimit([], new AwsRateLimitOptions()).ShouldBe(TimeSpan.Zero);

    [Theory]
    [InlineData(100, 64, 1600)]
    [InlineData(64, 64, 800)]
    [InlineData(1000, 64, 12800)]
    public void OneCheckPerSlot_Tenants_IsRoundsTimesTheFewestCallsTimesLatency(int tenants, int concurrency, int expectedMs)
    {
        // Two accounts of 32 and 40 calls: the fewest, 32, sets the bound.
        SandboxAttemptCount[] calls =
        [
            new("111111111111", Region, ConnectOperations.DescribeInstance, 20),
            new("111111111111", Region, IamOperations.GetRole, 12),
            new("222222222222", Region, ConnectOperations.DescribeInstance, 40),
        ];

        PassBounds.OneCheckPerSlot(calls, tenants, concurrency, TimeSpan.FromMilliseconds(25)).ShouldBe(TimeSpan.FromMilliseconds(expectedMs));
    }
}
