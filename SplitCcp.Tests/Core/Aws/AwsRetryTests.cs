using System.Net;
using Microsoft.Extensions.Time.Testing;
using SplitCcp.Core.Aws;

namespace SplitCcp.Tests.Core.Aws;

public sealed class AwsRetryTests
{
    private static AwsCallException Throttled() =>
        new(AwsFailure.FromError("connect", "ListInstances", null, HttpStatusCode.TooManyRequests, "ThrottlingException", null));

    private static AwsCallException Denied() =>
        new(AwsFailure.FromError("connect", "ListInstances", null, HttpStatusCode.Forbidden, "AccessDeniedException", null));

    [Fact]
    public async Task ExecuteAsync_ThrottledThenOk_RetriesAfterTheJitteredDelay()
    {
        var time = new FakeTimeProvider();
        var retry = new AwsRetry(new AwsRetryOptions { BaseDelay = TimeSpan.FromSeconds(1) }, time, () => 0.5);
        var calls = 0;

        var result = retry.ExecuteAsync(_ => ++calls == 1 ? throw Throttled() : Task.FromResult("ok"), CancellationToken.None);
        await Task.Yield();
        calls.ShouldBe(1);
        time.Advance(TimeSpan.FromMilliseconds(499));
        await Task.Yield();
        result.IsCompleted.ShouldBeFalse("half of a 1 s ceiling is 500 ms");

        time.Advance(TimeSpan.FromMilliseconds(1));

        (await result.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBe("ok");
        calls.ShouldBe(2);
    }

    [Fact]
    public async Task ExecuteAsync_AccessDenied_IsNotRetried()
    {
        var retry = new AwsRetry(new AwsRetryOptions(), new FakeTimeProvider(), () => 0);
        var calls = 0;

        var ex = await Should.ThrowAsync<AwsCallException>(() => retry.ExecuteAsync<string>(_ => { calls++; throw Denied(); }, CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.AccessDenied);
        calls.ShouldBe(1);
    }

    [Fact]
    public async Task ExecuteAsync_QuotaExceeded_IsNotRetried()
    {
        var retry = new AwsRetry(new AwsRetryOptions(), new FakeTimeProvider(), () => 0);
        var calls = 0;

        // Connect answers a quota with LimitExceededException and HTTP 429, the status it also throttles with.
        var ex = await Should.ThrowAsync<AwsCallException>(() => retry.ExecuteAsync<string>(_ =>
        {
            calls++;
            throw new AwsCallException(AwsFailure.FromError("connect", "CreateUser", null, HttpStatusCode.TooManyRequests, "LimitExceededException", "The allowed limit for the resource has been exceeded.", "eu-west-2"));
        }, CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.QuotaExceeded);
        calls.ShouldBe(1);
    }

    [Fact]
    public async Task ExecuteAsync_AlwaysThrottled_GivesUpAfterMaxRetriesWithTheFailure()
    {
        var retry = new AwsRetry(new AwsRetryOptions { MaxRetries = 3 }, new FakeTimeProvider(), () => 0);
        var calls = 0;

        var ex = await Should.ThrowAsync<AwsCallException>(() => retry.ExecuteAsync<string>(_ => { calls++; throw Throttled(); }, CancellationToken.None));

        calls.ShouldBe(4);
        ex.Failure.Kind.ShouldBe(AwsFailureKind.Throttled);
    }

    [Fact]
    public async Task ExecuteAsync_CancelledWhileWaiting_StopsAtOnce()
    {
        var time = new FakeTimeProvider();
        var retry = new AwsRetry(new AwsRetryOptions { BaseDelay = TimeSpan.FromSeconds(10) }, time, () => 1);
        using var cts = new CancellationTokenSource();
        var calls = 0;

        var running = retry.ExecuteAsync<string>(_ => { calls++; throw Throttled(); }, cts.Token);
        await cts.CancelAsync();

        await Should.ThrowAsync<TaskCanceledException>(() => running);
        calls.ShouldBe(1);
    }

    [Theory]
    [InlineData(0, 200)]
    [InlineData(1, 400)]
    [InlineData(3, 1600)]
    [InlineData(10, 20_000)]
    [InlineData(1000, 20_000)]
    public void DelayFor_Attempt_IsCappedExponentialTimesTheRandomFactor(int attempt, double ceilingMs)
    {
        var retry = new AwsRetry(new AwsRetryOptions(), new FakeTimeProvider(), () => 1);
        var half = new AwsRetry(new AwsRetryOptions(), new FakeTimeProvider(), () => 0.5);

        retry.DelayFor(attempt).TotalMilliseconds.ShouldBe(ceilingMs, 0.001);
        half.DelayFor(attempt).TotalMilliseconds.ShouldBe(ceilingMs / 2, 0.001);
    }
}
