using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Reconciliation;

/// <summary>
/// An apply whose run stops on a storage fault (the disk full, the data folder read-only) is not left Running for ever:
/// once writes work again it resumes from its journal, without a restart, and the tenant's next apply is accepted.
/// </summary>
[Collection(RealTimeTests.Name)]
public sealed class ApplyStorageFaultTests
{
    [Theory]
    [InlineData("disk full")]
    [InlineData("read-only")]
    public async Task An_apply_stopped_by_a_storage_fault_resumes_from_its_journal_when_writes_work_again_without_a_restart(string fault)
    {
        var faults = new StorageFaults();
        await using var host = await ReconciliationTestHost.StartAsync(
            extraSettings: new Dictionary<string, string?>
            {
                ["SplitCcp:Reconciliation:ApplyLease"] = "00:00:02",
                ["SplitCcp:Sandbox:InstanceCreation"] = "00:00:03",
            },
            configureServices: faults.AddTo);
        var tenant = await host.CreateDemoAsync();
        var apply = await host.StartApplyAsync(tenant.Id);
        await WaitUntilAsync(async () => (await host.Reconciliation.GetApplyAsync(host.Operator.Principal, tenant.Id, apply.Id))!
            .Steps.Any(s => s.ResourceKey == ResourceKeys.ConnectInstance && s.State == ApplyStepState.InProgress));

        if (fault == "disk full")
        {
            faults.DiskFull();
        }
        else
        {
            faults.ReadOnly();
        }

        // The next journal write fails and the run stops; the apply is left Running, claimed, with nothing running it.
        await WaitUntilAsync(() => Task.FromResult(!host.Engine.IsRunning(apply.Id)));
        var stopped = (await host.Reconciliation.GetApplyAsync(host.Operator.Principal, tenant.Id, apply.Id))!;
        stopped.State.ShouldBe(ApplyState.Running);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // three sweeps that cannot resume it while writes fail
        (await host.Reconciliation.GetApplyAsync(host.Operator.Principal, tenant.Id, apply.Id))!.State.ShouldBe(ApplyState.Running);

        faults.Clear();
        var resumed = await host.WaitAsync(tenant.Id, apply.Id, TimeSpan.FromSeconds(60));

        resumed.State.ShouldBe(ApplyState.Succeeded, resumed.Error);
        resumed.Attempts.ShouldBe(2, "resumed once, from its journal, by the same process");
        (await host.Console.ListAsync(tenant.Id, SplitCcp.Core.Sandbox.SandboxKinds.ConnectInstance))
            .Count(i => i.Json.Contains($"{tenant.Slug}-split-ccp", StringComparison.Ordinal)).ShouldBe(1, "nothing created twice");
        var next = await host.PlanAndStartApplyAsync(tenant.Id);
        var started = next.ShouldBeOfType<ApplyStartResult.Started>();
        (await host.WaitAsync(tenant.Id, started.Apply.Id)).State.ShouldBe(ApplyState.Succeeded);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            await Task.Delay(20, deadline.Token);
        }
    }
}
