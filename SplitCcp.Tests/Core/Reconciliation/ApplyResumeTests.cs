using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Core.Sandbox;

namespace SplitCcp.Tests.Core.Reconciliation;

/// <summary>An apply interrupted anywhere resumes on the next run without creating anything twice.</summary>
[Collection(SplitCcp.Tests.Core.Reconciliation.RealTimeTests.Name)]
public sealed class ApplyResumeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_apply_interrupted_at_any_step_boundary_resumes_to_the_same_result_without_duplicates(bool handBuilt)
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var made = 0;

        // The demo creates its Connect instance; a tenant set up by hand uses an existing one and waits on console steps.
        Task<TenantView> CreateAsync() => handBuilt ? SandboxChangesTests.CreateHandBuiltAsync(host, $"hand-built-{made++}") : host.CreateDemoAsync();

        // A clean run shows every boundary there is, and what a finished apply leaves behind.
        var boundaries = new List<(ApplyCheckpoint Checkpoint, string Key, int Index)>();
        host.Engine.OnCheckpoint = (checkpoint, key, _) =>
        {
            boundaries.Add((checkpoint, key, boundaries.Count));
            return Task.CompletedTask;
        };
        var clean = await CreateAsync();
        (await host.ApplyAsync(clean.Id)).State.ShouldBe(ApplyState.Succeeded);
        var expectedCounts = await host.CountObjectsAsync(clean.Id);
        var expectedPlan = Summary(await host.PlanAsync(clean.Id));
        boundaries.Count.ShouldBeGreaterThan(handBuilt ? 20 : 30);
        boundaries.Select(b => b.Key).ShouldContain(handBuilt ? ResourceKeys.Distribution : ResourceKeys.ConnectInstance);

        // Every tenant's apply passes the same boundaries in the same order; crash at the n-th one.
        for (var n = 0; n < boundaries.Count; n++)
        {
            var boundary = boundaries[n];
            var tenant = await CreateAsync();
            var seen = 0;
            var armed = true;
            host.Engine.OnCheckpoint = (checkpoint, key, _) =>
            {
                if (armed && seen++ == boundary.Index)
                {
                    armed = false;
                    checkpoint.ShouldBe(boundary.Checkpoint);

                    // The process dies here: nothing after this point runs, and the apply stays Running.
                    throw new OperationCanceledException("Simulated crash.");
                }

                return Task.CompletedTask;
            };

            var started = await host.StartApplyAsync(tenant.Id);
            var interrupted = await WaitUntilInterruptedAsync(host, tenant, started.Id, () => !armed);
            interrupted.State.ShouldBe(ApplyState.Running, $"crashed at {boundary}");

            await host.Engine.RunAsync(started.Id, CancellationToken.None);

            var resumed = await host.Reconciliation.GetApplyAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), started.Id);
            resumed!.State.ShouldBe(ApplyState.Succeeded, $"resumed after a crash at {boundary}: {resumed.Error}");
            resumed.Attempts.ShouldBe(2);
            (await host.CountObjectsAsync(tenant.Id)).ShouldBe(expectedCounts, $"after a crash at {boundary}");
            Summary(await host.PlanAsync(tenant.Id)).ShouldBe(expectedPlan, $"after a crash at {boundary}");
        }
    }

    [Fact]
    public async Task A_process_stopped_mid_apply_resumes_it_on_the_next_start()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        var reached = host.HoldAtConnectInstance();
        var apply = await host.StartApplyAsync(tenant.Id);
        await reached;

        await host.Host.RestartAsync();

        var resumed = await host.WaitAsync(tenant.Id, apply.Id);
        resumed.State.ShouldBe(ApplyState.Succeeded, resumed.Error);
        resumed.Attempts.ShouldBe(2);
        (await host.Console.ListAsync(tenant.Id, SplitCcp.Core.Sandbox.SandboxKinds.ConnectInstance))
            .Count(i => i.Json.Contains($"{tenant.Slug}-split-ccp", StringComparison.Ordinal)).ShouldBe(1);
        (await host.AuditAsync(tenant.Id)).ShouldContain(a => a.Action == SplitCcp.Core.Security.AuditActions.ApplyResumed);
    }

    /// <summary>Each resource's action, with the agents' keys (their e-mails differ per tenant) numbered instead.</summary>
    private static string Summary(Plan plan) => string.Join("\n", plan.Items.Select((i, n) =>
        $"{(i.Key.StartsWith(ResourceKeys.ConnectUserPrefix, StringComparison.Ordinal) ? $"agent #{n}" : i.Key)} {i.Action}"));

    private static async Task<ApplyView> WaitUntilInterruptedAsync(ReconciliationTestHost host, TenantView tenant, Guid applyId, Func<bool> crashed)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!crashed())
        {
            await Task.Delay(10, deadline.Token);
        }

        // Let the runner finish unwinding the crashed attempt before the next one starts.
        await Task.Delay(50, deadline.Token);
        return (await host.Reconciliation.GetApplyAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), applyId, deadline.Token))!;
    }
}
