using Microsoft.Extensions.Time.Testing;
using SplitCcp.Web.Components.Shared;

namespace SplitCcp.Tests.Components.Shared;

public sealed class CoalescingRefreshTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(750);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Request_FirstOne_RefreshesAtOnce()
    {
        var refreshes = 0;
        using var refresh = new CoalescingRefresh(() => { refreshes++; return Task.CompletedTask; }, s_interval, _time);

        refresh.Request();

        refreshes.ShouldBe(1);
    }

    [Fact]
    public void Request_BurstAfterARefresh_RefreshesOnceMoreWhenTheIntervalHasPassed()
    {
        var refreshes = 0;
        using var refresh = new CoalescingRefresh(() => { refreshes++; return Task.CompletedTask; }, s_interval, _time);
        refresh.Request();

        for (var i = 0; i < 1000; i++)
        {
            refresh.Request();
        }

        refreshes.ShouldBe(1);
        _time.Advance(s_interval - TimeSpan.FromMilliseconds(1));
        refreshes.ShouldBe(1);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        refreshes.ShouldBe(2);
        _time.Advance(s_interval * 10);
        refreshes.ShouldBe(2);
    }

    [Fact]
    public void Request_AfterAQuietInterval_RefreshesAtOnceAgain()
    {
        var refreshes = 0;
        using var refresh = new CoalescingRefresh(() => { refreshes++; return Task.CompletedTask; }, s_interval, _time);
        refresh.Request();

        _time.Advance(s_interval);
        refresh.Request();

        refreshes.ShouldBe(2);
    }

    [Fact]
    public async Task Request_WhileARefreshRuns_NeverOverlapsAndRefreshesOnceAfterIt()
    {
        var running = 0;
        var overlapped = false;
        var refreshes = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var refresh = new CoalescingRefresh(async () =>
        {
            overlapped |= Interlocked.Increment(ref running) > 1;
            Interlocked.Increment(ref refreshes);
            await gate.Task;
            Interlocked.Decrement(ref running);
        }, s_interval, _time);
        refresh.Request();

        // The slow refresh outlasts the interval; requests meanwhile wait for it instead of starting another.
        _time.Advance(s_interval * 3);
        for (var i = 0; i < 50; i++)
        {
            refresh.Request();
        }

        Volatile.Read(ref refreshes).ShouldBe(1);
        var first = gate;
        gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        first.SetResult();
        await WaitUntilAsync(() => Volatile.Read(ref refreshes) == 2);
        gate.SetResult();

        overlapped.ShouldBeFalse();
        await Task.Delay(50);
        Volatile.Read(ref refreshes).ShouldBe(2);
    }

    [Fact]
    public void Dispose_WithARefreshPending_NeverRunsIt()
    {
        var refreshes = 0;
        var refresh = new CoalescingRefresh(() => { refreshes++; return Task.CompletedTask; }, s_interval, _time);
        refresh.Request();
        refresh.Request();

        refresh.Dispose();
        _time.Advance(s_interval * 2);
        refresh.Request();

        refreshes.ShouldBe(1);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (!condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }
}
