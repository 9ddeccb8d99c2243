using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Reconciliation.Drift;

namespace SplitCcp.Tests.Core.Reconciliation.Drift;

public sealed class DriftScheduleTests
{
    [Fact]
    public async Task GetSchedule_PassesSwitchedOff_HasNoNextPass()
    {
        await using var host = await CoreTestHost.StartAsync();

        var schedule = host.Services.GetRequiredService<DriftService>().GetSchedule();

        schedule.Enabled.ShouldBeFalse();
        schedule.NextPassAt.ShouldBeNull();
        schedule.Current.ShouldBeNull();
        schedule.Last.ShouldBeNull();
    }

    [Fact]
    public async Task GetSchedule_AfterTheFirstPass_NextPassIsTheWorkersNextTick()
    {
        await using var host = await CoreTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["SplitCcp:Drift:Enabled"] = "true",
            ["SplitCcp:Drift:Interval"] = "00:05:00",
        });
        var drift = host.Services.GetRequiredService<DriftService>();
        var started = CoreTestHost.StartTime.UtcDateTime;

        // The first pass runs at start; with no tenants it is over at once.
        var first = await WaitForAsync(() => drift.GetSchedule() is { Last: not null, Current: null } s ? s : null);
        first.Enabled.ShouldBeTrue();
        first.Interval.ShouldBe(TimeSpan.FromMinutes(5));
        first.Last!.FinishedAt.ShouldNotBeNull();
        first.NextPassAt.ShouldBe(started.AddMinutes(5));

        host.Time.Advance(TimeSpan.FromMinutes(7));
        var later = await WaitForAsync(() => drift.GetSchedule() is { Current: null } s && s.Last!.StartedAt > started ? s : null);
        later.NextPassAt.ShouldBe(started.AddMinutes(10));
    }

    private static async Task<DriftSchedule> WaitForAsync(Func<DriftSchedule?> read)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (read() is { } schedule)
            {
                return schedule;
            }

            await Task.Delay(20, deadline.Token);
        }
    }
}
