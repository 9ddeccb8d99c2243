using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Tests.Core.Reconciliation;

/// <summary>
/// An apply slot is for work: an apply waiting on slow AWS work (a fleet starting takes AWS 10–20 minutes) gives its slot
/// back while it waits, so a tenant with something to fix is not queued behind tenants that are only waiting.
/// </summary>
[Collection(RealTimeTests.Name)]
public sealed class ApplySlotTests
{
    [Fact]
    public async Task A_one_resource_fix_completes_within_seconds_while_more_tenants_than_there_are_slots_wait_on_fleets()
    {
        await using var host = await ReconciliationTestHost.StartAsync(extraSettings: new Dictionary<string, string?>
        {
            ["SplitCcp:Reconciliation:MaxConcurrentApplies"] = "2",
        });

        // The tenant that will need a fix, in sync first.
        var fixing = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, fixing);

        // Twice as many tenants as slots, each with its image captured, so their next apply creates and starts the fleet.
        var waiting = new List<TenantView>();
        for (var i = 0; i < 4; i++)
        {
            var tenant = await host.CreateDemoAsync();
            (await host.ApplyAsync(tenant.Id)).State.ShouldBe(ApplyState.Succeeded);
            var spec = (await host.Services.GetRequiredService<SplitCcp.Core.Tenants.Spec.TenantSpecService>().GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record.Spec;
            await host.Console.CaptureImageAsync(tenant.Id, spec.AppStream.ImageBuilder.Name!, spec.AppStream.ImageName!);
            waiting.Add(tenant);
        }

        // From now on a fleet takes AWS's real time to start.
        var configuration = (IConfigurationRoot)host.Services.GetRequiredService<IConfiguration>();
        configuration["SplitCcp:Sandbox:FleetStart"] = "00:15:00";
        configuration.Reload();
        host.SandboxOptions.FleetStart.ShouldBe(TimeSpan.FromMinutes(15));

        var waitingApplies = new List<(Guid TenantId, Guid ApplyId)>();
        foreach (var tenant in waiting)
        {
            waitingApplies.Add((tenant.Id, (await host.StartApplyAsync(tenant.Id)).Id));
        }

        foreach (var (tenantId, applyId) in waitingApplies)
        {
            await WaitUntilWaitingOnTheFleetAsync(host, tenantId, applyId);
        }

        var role = (await host.Console.ListAsync(fixing.Id, SandboxKinds.IamRole))[0];
        (await host.Console.DeleteAsync(fixing.Id, SandboxKinds.IamRole, role.Id)).ShouldBeTrue();

        var clock = Stopwatch.StartNew();
        var fix = await host.StartApplyAsync(fixing.Id);
        var fixedApply = await host.WaitAsync(fixing.Id, fix.Id, TimeSpan.FromSeconds(60));
        clock.Stop();

        fixedApply.State.ShouldBe(ApplyState.Succeeded, fixedApply.Error);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10), "the fix has work to do; the four applies in front of it were only waiting on AWS");
        (await host.PlanAsync(fixing.Id)).IsInSync.ShouldBeTrue();
        foreach (var (tenantId, applyId) in waitingApplies)
        {
            (await host.Reconciliation.GetApplyAsync(await host.TenantAsync(host.Operator.Principal, tenantId), applyId))!.IsActive.ShouldBeTrue("the fleets are still starting");
        }
    }

    private static async Task WaitUntilWaitingOnTheFleetAsync(ReconciliationTestHost host, Guid tenantId, Guid applyId)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var apply = await host.Reconciliation.GetApplyAsync(await host.TenantAsync(host.Operator.Principal, tenantId), applyId, deadline.Token);
            apply.ShouldNotBeNull();
            apply.IsActive.ShouldBeTrue(apply.Error);
            if (apply.Steps.Any(s => s.ResourceKey == SplitCcp.Core.Reconciliation.Resources.ResourceKeys.Fleet && s.State == ApplyStepState.InProgress))
            {
                return;
            }

            await Task.Delay(25, deadline.Token);
        }
    }
}
