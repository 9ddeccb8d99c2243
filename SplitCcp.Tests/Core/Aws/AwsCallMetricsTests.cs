using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Observability;
using SplitCcp.Tests.Core.Sandbox;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Aws;

public sealed class AwsCallMetricsTests : IDisposable
{
    private static readonly AwsOperation s_describe = ConnectOperations.DescribeInstance;

    private readonly TestMeterFactory _meters = new();
    private readonly MetricCollector<long> _calls;
    private readonly MetricCollector<long> _throttled;
    private readonly MetricCollector<long> _errors;
    private readonly MetricCollector<double> _waits;

    public AwsCallMetricsTests()
    {
        _calls = _meters.Collect<long>(AwsCallMetrics.Calls);
        _throttled = _meters.Collect<long>(AwsCallMetrics.Throttled);
        _errors = _meters.Collect<long>(AwsCallMetrics.Errors);
        _waits = _meters.Collect<double>(AwsCallMetrics.RateLimitWait);
    }

    [Fact]
    public async Task CallAsync_ThrottledTwiceThenAnswered_CountsThreeAttemptsAndTwoThrottles()
    {
        var caller = Caller(TimeProvider.System);
        var attempts = 0;

        var result = await caller.CallAsync(s_describe, "instance", _ => ++attempts <= 2
            ? throw Failure(HttpStatusCode.TooManyRequests, "ThrottlingException")
            : Task.FromResult("answer"), CancellationToken.None);

        result.ShouldBe("answer");
        Total(_calls, ("service", AwsServices.Connect)).ShouldBe(3);
        Total(_calls).ShouldBe(3, "no other service was called");
        Total(_throttled, ("service", AwsServices.Connect)).ShouldBe(2);
        Total(_errors, ("service", AwsServices.Connect), ("kind", nameof(AwsFailureKind.Throttled))).ShouldBe(2);
        Total(_errors).ShouldBe(2, "no failure of another kind");
    }

    [Fact]
    public async Task CallAsync_FailuresOfEachKind_CountedByKindOnce()
    {
        var caller = Caller(TimeProvider.System, maxRetries: 0);

        await Should.ThrowAsync<AwsCallException>(() => caller.CallAsync<int>(s_describe, null,
            _ => throw Failure(HttpStatusCode.BadRequest, "AccessDeniedException"), CancellationToken.None));
        await Should.ThrowAsync<AwsCallException>(() => caller.CallAsync<int>(s_describe, null,
            _ => throw new HttpRequestException("connection refused"), CancellationToken.None));
        await Should.ThrowAsync<AwsCallException>(() => caller.CallAsync<int>(StsOperations.GetCallerIdentity, null,
            _ => throw Failure(HttpStatusCode.InternalServerError, "InternalFailure"), CancellationToken.None));

        Total(_calls, ("service", AwsServices.Connect)).ShouldBe(2);
        Total(_calls, ("service", AwsServices.Sts)).ShouldBe(1);
        Total(_errors, ("service", AwsServices.Connect), ("kind", nameof(AwsFailureKind.AccessDenied))).ShouldBe(1);
        Total(_errors, ("service", AwsServices.Connect), ("kind", nameof(AwsFailureKind.Unreachable))).ShouldBe(1);
        Total(_errors, ("service", AwsServices.Sts), ("kind", nameof(AwsFailureKind.ServiceError))).ShouldBe(1);
        Total(_errors).ShouldBe(3);
        Total(_throttled).ShouldBe(0);
    }

    [Fact]
    public async Task CallAsync_HeldByTheRateLimiter_RecordsTheWaitOnItsClock()
    {
        var time = new FakeTimeProvider();
        var caller = new AwsCaller("111111111111", "eu-west-2", new AwsRateLimiter(time, _ => new AwsRateLimit(2, 1)), new AwsRateLimitOptions(),
            new AwsRetry(new AwsRetryOptions(), time), new AwsCallMetrics(_meters));

        await caller.CallAsync(s_describe, null, _ => Task.FromResult(1), CancellationToken.None);
        var second = caller.CallAsync(s_describe, null, _ => Task.FromResult(2), CancellationToken.None);
        second.IsCompleted.ShouldBeFalse("the bucket of one is empty");
        Total(_calls).ShouldBe(1, "an attempt counts once the limiter lets it go");
        time.Advance(TimeSpan.FromMilliseconds(500));
        await second.WaitAsync(TimeSpan.FromSeconds(5));

        Total(_calls).ShouldBe(2);
        _waits.GetMeasurementSnapshot().ContainsTags(Tag("service", AwsServices.Connect)).EvaluateAsCounter().ShouldBe(0.5);
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

        world.Faults.Throttles.ShouldBeGreaterThan(0, "40 % of 20+ attempts");
        world.Throttled(AwsServices.Sts).ShouldBe(world.Faults.Throttles);
        world.Attempts(AwsServices.Sts).ShouldBe(world.Faults.Attempts);
        world.Attempts(AwsServices.Sts).ShouldBe(20 + world.Throttled(AwsServices.Sts), "each throttled attempt was retried once more");
    }

    [Fact]
    public async Task CallAsync_RetriedThenRefused_IsOneFailedClientSpanNamedAfterTheOperation()
    {
        var spans = new List<Activity>();
        using var listener = Listen(spans);
        using var test = new Activity("test").Start();
        var caller = Caller(TimeProvider.System);
        var attempts = 0;

        await caller.CallAsync(s_describe, null, _ => ++attempts == 1
            ? throw Failure(HttpStatusCode.TooManyRequests, "ThrottlingException")
            : Task.FromResult(1), CancellationToken.None);
        await Should.ThrowAsync<AwsCallException>(() => caller.CallAsync<int>(StsOperations.GetCallerIdentity, null,
            _ => throw Failure(HttpStatusCode.BadRequest, "AccessDeniedException"), CancellationToken.None));

        var ours = spans.Where(s => s.TraceId == test.TraceId).ToList();
        ours.Select(s => s.DisplayName).ShouldBe(["connect/DescribeInstance", "sts/GetCallerIdentity"]);
        ours.ShouldAllBe(s => s.Kind == ActivityKind.Client && s.ParentSpanId == test.SpanId);
        ours[0].Status.ShouldBe(ActivityStatusCode.Unset);
        ours[0].GetTagItem("splitccp.aws.attempts").ShouldBe(2, "the retry is in the same span");
        ours[0].GetTagItem("rpc.service").ShouldBe(AwsServices.Connect);
        ours[0].GetTagItem("cloud.region").ShouldBe("eu-west-2");
        ours[1].Status.ShouldBe(ActivityStatusCode.Error);
        ours[1].StatusDescription.ShouldBe(nameof(AwsFailureKind.AccessDenied));
    }

    public void Dispose()
    {
        foreach (var collector in new IDisposable[] { _calls, _throttled, _errors, _waits })
        {
            collector.Dispose();
        }

        _meters.Dispose();
    }

    /// <summary>Records the portal's spans that end while it listens, whatever test started them: filter by trace.</summary>
    internal static ActivityListener Listen(List<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PortalTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static long Total(MetricCollector<long> collector, params (string Name, string Value)[] tags) =>
        collector.GetMeasurementSnapshot().ContainsTags(tags.Select(t => Tag(t.Name, t.Value)).ToArray()).EvaluateAsCounter();

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);

    private AwsCaller Caller(TimeProvider time, int maxRetries = 5) =>
        new("111111111111", "eu-west-2", new AwsRateLimiter(time, _ => new AwsRateLimit(1e9, int.MaxValue)), new AwsRateLimitOptions(),
            new AwsRetry(new AwsRetryOptions { MaxRetries = maxRetries, BaseDelay = TimeSpan.Zero }, time, () => 0), new AwsCallMetrics(_meters));

    private static AwsCallException Failure(HttpStatusCode status, string code) =>
        new(AwsFailure.FromError(AwsServices.Connect, "DescribeInstance", null, status, code, "test"));
}
