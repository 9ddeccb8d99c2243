using Microsoft.Extensions.Time.Testing;
using SplitCcp.Core.Reconciliation.Drift;

namespace SplitCcp.Tests.Core.Reconciliation.Drift;

/// <summary>Waits of the drift tests, whose workers run on fake clocks.</summary>
internal static class DriftWaits
{
    public static async Task<DriftPassInfo> WaitForPassAsync(DriftWorker worker, Func<DriftPassInfo, bool> match)
    {
        await WaitUntilAsync(() => worker.LastPass is { } pass && match(pass));
        return worker.LastPass!;
    }

    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    /// <summary>Moves the fake clocks a second at a time until <paramref name="task"/> is done: every Sandbox call waits on them.</summary>
    public static async Task AdvanceUntilAsync(Task task, params FakeTimeProvider[] clocks)
    {
        for (var i = 0; i < 2_000 && !task.IsCompleted; i++)
        {
            foreach (var clock in clocks)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
            }

            await Task.WhenAny(task, Task.Delay(5));
        }

        await task;
    }
}
