using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Core.Sandbox;

namespace SplitCcp.Tests.Core.Reconciliation;

/// <summary>
/// An apply whose steps failed only because AWS kept refusing for a while (throttling, server errors) after each call's
/// own retries were spent is retried as a whole, after a back-off, a bounded number of times, each retry audited; it ends
/// Failed only when AWS still refuses after the last one, and then says so.
/// </summary>
[Collection(RealTimeTests.Name)]
public sealed class ApplyRetryTests
{
    private static Task<ReconciliationTestHost> StartAsync(int applyRetries) => ReconciliationTestHost.StartAsync(extraSettings: new Dictionary<string, string?>
    {
        ["SplitCcp:Aws:Retry:MaxRetries"] = "1",
        ["SplitCcp:Reconciliation:ApplyRetries"] = applyRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["SplitCcp:Reconciliation:ApplyRetryDelay"] = "00:00:00.300",
    });

    [Fact]
    public async Task An_apply_that_failed_on_throttling_is_retried_as_a_whole_after_a_back_off_and_succeeds_once_AWS_lets_it()
    {
        await using var host = await StartAsync(applyRetries: 3);
        var tenant = await host.CreateDemoAsync();
        host.SandboxOptions.ThrottleRate = 1;

        var started = await host.StartApplyAsync(tenant.Id);
        var retrying = await WaitForRetryAsync(host, tenant.Id, started.Id);
        host.SandboxOptions.ThrottleRate = 0;
        var apply = await host.WaitAsync(tenant.Id, started.Id);

        retrying.State.ShouldBe(ApplyState.Running, "the apply waits to be retried; it has not failed");
        retrying.Retries.ShouldBe(1);
        retrying.Error.ShouldNotBeNull().ShouldContain("AWS is throttling");
        retrying.Error.ShouldContain("retries the whole apply");
        apply.State.ShouldBe(ApplyState.Succeeded, apply.Error);
        apply.Error.ShouldBeNull();
        apply.Steps.Single(s => s.ResourceKey == ResourceKeys.ConnectInstance).State.ShouldBe(ApplyStepState.Succeeded);
        var audit = await host.AuditAsync(tenant.Id);
        var retries = audit.Where(a => a.Action == AuditActions.ApplyRetrying && a.ApplyId == started.Id).ToList();
        retries.ShouldHaveSingleItem().Summary.ShouldContain("retry 1 of 3");
        retries[0].Summary.ShouldContain("AWS is throttling");
        audit.Single(a => a.Action == AuditActions.ApplyFinished && a.ApplyId == started.Id).Summary.ShouldStartWith("Apply finished");
    }

    [Fact]
    public async Task A_hand_built_tenants_apply_retried_after_throttling_ends_with_its_console_steps_still_waiting_not_failed()
    {
        await using var host = await StartAsync(applyRetries: 3);
        var tenant = await SandboxChangesTests.CreateHandBuiltAsync(host);
        host.SandboxOptions.ThrottleRate = 1;

        var started = await host.StartApplyAsync(tenant.Id);
        await WaitForRetryAsync(host, tenant.Id, started.Id);
        host.SandboxOptions.ThrottleRate = 0;
        var apply = await host.WaitAsync(tenant.Id, started.Id);

        apply.State.ShouldBe(ApplyState.Succeeded, apply.Error);
        apply.Steps.ShouldNotContain(s => s.State == ApplyStepState.Failed || s.State == ApplyStepState.Pending);
        apply.Steps.Single(s => s.ResourceKey == ResourceKeys.IdentityCenterApplication).State.ShouldBe(ApplyStepState.Skipped, "a console step is still the operator's to do");
        (await host.PlanAsync(tenant.Id)).Items.ShouldNotContain(i => i.Action == PlanAction.Create || i.Action == PlanAction.Update);
    }

    [Fact]
    public async Task An_apply_AWS_goes_on_throttling_ends_failed_after_the_last_retry_and_says_what_was_tried()
    {
        await using var host = await StartAsync(applyRetries: 2);
        var tenant = await host.CreateDemoAsync();
        host.SandboxOptions.ThrottleRate = 1;

        var apply = await host.ApplyAsync(tenant.Id);

        apply.State.ShouldBe(ApplyState.Failed);
        apply.Retries.ShouldBe(2);
        apply.Error.ShouldNotBeNull().ShouldContain("AWS is throttling");
        apply.Error.ShouldContain("The portal retried the whole apply 2 times");
        apply.Error.ShouldNotContain("nothing needs doing");
        apply.Steps.ShouldNotContain(s => s.State == ApplyStepState.Pending || s.State == ApplyStepState.Running || s.State == ApplyStepState.InProgress);
        var audit = await host.AuditAsync(tenant.Id);
        audit.Where(a => a.Action == AuditActions.ApplyRetrying && a.ApplyId == apply.Id).Select(a => a.Summary[..a.Summary.IndexOf(')', StringComparison.Ordinal)])
            .Order(StringComparer.Ordinal).ShouldBe(["Retrying the whole apply in 0.3 s (retry 1 of 2", "Retrying the whole apply in 0.6 s (retry 2 of 2"]);
    }

    [Fact]
    public async Task An_apply_that_failed_on_a_quota_is_not_retried()
    {
        await using var host = await StartAsync(applyRetries: 3);
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.FillStackQuotaAsync(host, tenant);

        var apply = await host.ApplyAsync(tenant.Id);

        apply.State.ShouldBe(ApplyState.Failed);
        apply.Retries.ShouldBe(0, "retrying cannot help until the operator raises the quota");
        (await host.AuditAsync(tenant.Id)).ShouldNotContain(a => a.Action == AuditActions.ApplyRetrying);
    }

    internal static async Task<ApplyView> WaitForRetryAsync(ReconciliationTestHost host, Guid tenantId, Guid applyId)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var apply = (await host.Reconciliation.GetApplyAsync(host.Operator.Principal, tenantId, applyId, deadline.Token)).ShouldNotBeNull();
            apply.IsActive.ShouldBeTrue($"the apply ended {apply.State} instead of waiting to be retried: {apply.Error}");
            if (apply.RetryAt is not null)
            {
                return apply;
            }

            await Task.Delay(10, deadline.Token);
        }
    }
}
