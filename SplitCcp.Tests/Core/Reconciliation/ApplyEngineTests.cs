using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Tests.Core.Reconciliation;

public sealed class ApplyEngineTests
{
    /// <summary>Applies the demo, captures its image the way an operator would in the builder, and applies again.</summary>
    internal static async Task ConvergeAsync(ReconciliationTestHost host, TenantView tenant)
    {
        var first = await host.ApplyAsync(tenant.Id);
        first.State.ShouldBe(ApplyState.Succeeded, first.Error);
        var spec = (await host.Services.GetRequiredService<SplitCcp.Core.Tenants.Spec.TenantSpecService>().GetAsync(host.Operator.Principal, tenant.Id))!.Value.Record.Spec;
        await host.Console.CaptureImageAsync(tenant.Id, spec.AppStream.ImageBuilder.Name!, spec.AppStream.ImageName!);
        var second = await host.ApplyAsync(tenant.Id);
        second.State.ShouldBe(ApplyState.Succeeded, second.Error);
    }

    [Fact]
    public async Task The_demo_plan_lists_every_resource_after_its_dependencies_and_creates_what_is_missing()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();

        var plan = await host.PlanAsync(tenant.Id);

        var position = plan.Items.Select((item, index) => (item.Key, index)).ToDictionary(p => p.Key, p => p.index);
        foreach (var item in plan.Items)
        {
            foreach (var dependency in item.DependsOn)
            {
                position[dependency].ShouldBeLessThan(position[item.Key], $"{item.Key} depends on {dependency}");
            }
        }

        plan.Items.Single(i => i.Key == ResourceKeys.Account).Action.ShouldBe(PlanAction.InSync);
        plan.Items.Single(i => i.Key == ResourceKeys.IdentityCenterApplication).Action.ShouldBe(PlanAction.InSync);
        plan.Items.Single(i => i.Key == ResourceKeys.ConnectInstance).Action.ShouldBe(PlanAction.Create);
        plan.Items.Single(i => i.Key == ResourceKeys.Bucket).Changes.ShouldContain(c => c.Field == "objectOwnership" && c.Expected == "BucketOwnerEnforced");
        var image = plan.Items.Single(i => i.Key == ResourceKeys.Image);
        image.Action.ShouldBe(PlanAction.Manual);
        image.Instructions.ShouldContain(s => s.Value != null && s.Value.Contains("image-assistant.exe create-image", StringComparison.Ordinal));
        plan.Items.Single(i => i.Key == ResourceKeys.Fleet).Action.ShouldBe(PlanAction.Blocked);
        plan.Items.Single(i => i.Key == ResourceKeys.Fleet).Reason.ShouldBe("Waits for: AppStream image.");
    }

    [Fact]
    public async Task Applying_the_demo_converges_and_a_second_plan_is_all_in_sync()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();

        await ConvergeAsync(host, tenant);

        var plan = await host.PlanAsync(tenant.Id);
        plan.Items.Where(i => i.Action != PlanAction.InSync).Select(i => $"{i.Key}: {i.Action} {i.Reason}").ShouldBeEmpty();
        plan.IsInSync.ShouldBeTrue();
    }
}
