using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Ccp;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Tests.Core.Reconciliation.Drift;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Integration.Aws;

namespace SplitCcp.Tests.Core.Reconciliation.Resources;

/// <summary>
/// The setup's phone number: ListPhoneNumbersV2 lists the numbers claimed to the instance without their claim's status, so
/// the resource reads it with DescribePhoneNumber. A claim still in progress is waited for, a failed one is reported with
/// AWS's words and what to do, and neither makes the portal claim a second number.
/// </summary>
[Collection(RealTimeTests.Name)]
public sealed class PhoneNumberResourceTests
{
    [Fact]
    public async Task A_claim_that_fails_fails_its_step_with_AWS_words_and_the_next_apply_claims_no_other_number()
    {
        // The instance may hold no numbers: the claim is accepted, then ends FAILED, as AWS ends one over the instance's limit.
        await using var host = await ReconciliationTestHost.StartAsync(extraSettings: new Dictionary<string, string?>
        {
            ["SplitCcp:Sandbox:PhoneNumbersPerInstance"] = "0",
        });
        var tenant = await host.CreateDemoAsync();

        var first = await host.ApplyAsync(tenant.Id);

        first.State.ShouldBe(ApplyState.Failed);
        var step = first.Steps.Single(s => s.ResourceKey == ResourceKeys.ConnectPhoneNumber);
        step.State.ShouldBe(ApplyStepState.Failed);
        var number = (await host.Console.ListAsync(tenant.Id, SandboxKinds.ConnectPhoneNumber)).ShouldHaveSingleItem();
        step.Message.ShouldNotBeNull().ShouldStartWith($"AWS failed to claim {Number(number)} for the instance: ");
        step.Message.ShouldContain("has reached its limit of 0 claimed phone numbers");
        step.Message.ShouldContain("Service Quotas console for Amazon Connect");
        step.Message.ShouldContain($"release {Number(number)} in the Amazon Connect console");
        first.Steps.Where(s => s.ResourceKey != ResourceKeys.ConnectPhoneNumber).ShouldAllBe(s => s.State != ApplyStepState.Failed);

        var second = await host.ApplyAsync(tenant.Id);

        second.Steps.Single(s => s.ResourceKey == ResourceKeys.ConnectPhoneNumber).Message.ShouldNotBeNull().ShouldContain($"AWS failed to claim {Number(number)}");
        (await host.Console.ListAsync(tenant.Id, SandboxKinds.ConnectPhoneNumber)).Count.ShouldBe(1, "no second number is claimed while a failed claim is there");
        var drift = await DriftCheckerTests.CheckAsync(host, tenant.Id);
        var resource = drift.Resources.Single(r => r.Key == ResourceKeys.ConnectPhoneNumber);
        resource.State.ShouldNotBe(DriftState.InSync);
        resource.Message.ShouldNotBeNull().ShouldStartWith($"AWS failed to claim {Number(number)}");
    }

    [Fact]
    public async Task A_claim_AWS_reports_failed_is_not_in_sync_and_no_other_number_is_claimed()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        (await host.ApplyAsync(tenant.Id)).State.ShouldBe(ApplyState.Succeeded);
        var claimed = (await host.Console.ListAsync(tenant.Id, SandboxKinds.ConnectPhoneNumber)).ShouldHaveSingleItem();

        // The claim's status as AWS would report it after the fact, set by hand in the console.
        (await host.Console.AlterAsync(tenant.Id, SandboxKinds.ConnectPhoneNumber, claimed.Id, "status", ConnectPhoneNumber.Failed)).ShouldBeTrue();
        var plan = await host.PlanAsync(tenant.Id);
        var apply = await host.ApplyAsync(tenant.Id);

        var item = plan.Items.Single(i => i.Key == ResourceKeys.ConnectPhoneNumber);
        item.Action.ShouldBe(PlanAction.Blocked);
        item.Reason.ShouldNotBeNull().ShouldStartWith($"AWS failed to claim {Number(claimed)} for the instance: AWS gave no reason.");
        apply.Steps.Single(s => s.ResourceKey == ResourceKeys.ConnectPhoneNumber).Message.ShouldNotBeNull().ShouldContain(item.Reason);
        (await host.Console.ListAsync(tenant.Id, SandboxKinds.ConnectPhoneNumber)).ShouldHaveSingleItem().Id.ShouldBe(claimed.Id);
    }

    [Fact]
    public async Task A_claim_still_in_progress_is_waited_for_and_never_claimed_twice()
    {
        await using var host = await ReconciliationTestHost.StartAsync(extraSettings: new Dictionary<string, string?>
        {
            ["SplitCcp:Sandbox:PhoneNumberClaim"] = "01:00:00",
            ["SplitCcp:Reconciliation:PollTimeout"] = TimeSpan.FromMilliseconds(400).ToString("c", CultureInfo.InvariantCulture),
        });
        var tenant = await host.CreateDemoAsync();

        var first = await host.ApplyAsync(tenant.Id);
        var plan = await host.PlanAsync(tenant.Id);
        var second = await host.ApplyAsync(tenant.Id);

        var number = (await host.Console.ListAsync(tenant.Id, SandboxKinds.ConnectPhoneNumber)).ShouldHaveSingleItem("the second apply waits for the first claim");
        first.Steps.Single(s => s.ResourceKey == ResourceKeys.ConnectPhoneNumber).Message.ShouldNotBeNull().ShouldContain($"AWS is still claiming {Number(number)}");
        var item = plan.Items.Single(i => i.Key == ResourceKeys.ConnectPhoneNumber);
        item.Action.ShouldBe(PlanAction.Create);
        item.Reason.ShouldBe($"In progress: AWS is still claiming {Number(number)}.");
        second.Steps.Single(s => s.ResourceKey == ResourceKeys.ConnectPhoneNumber).Message.ShouldNotBeNull().ShouldContain($"AWS is still claiming {Number(number)}");
    }

    [Fact]
    public async Task Only_numbers_of_the_setups_country_and_type_are_described_and_none_after_the_first_claimed()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        (await host.ApplyAsync(tenant.Id)).State.ShouldBe(ApplyState.Succeeded);
        var demoNumber = (await host.Console.ListAsync(tenant.Id, SandboxKinds.ConnectPhoneNumber)).ShouldHaveSingleItem();
        var (context, recorded) = await ContextAsync(host, tenant);
        var arn = context.Values.ConnectInstanceArn!;
        var others = new List<string>();
        foreach (var (country, type) in new[] { ("GB", "DID"), ("US", "TOLL_FREE"), ("US", "DID") })
        {
            var available = (await context.Aws.Connect.SearchAvailablePhoneNumbersAsync(arn, country, type, 1, CancellationToken.None))[0];
            others.Add(await context.Aws.Connect.ClaimPhoneNumberAsync(arn, available, $"extra-{country}-{type}", CancellationToken.None));
        }

        var resource = ResourceCatalog.For(context.Spec).Single(r => r.Key == ResourceKeys.ConnectPhoneNumber);
        recorded.Operations.Clear();
        var observed = await resource.ObserveAsync(context, CancellationToken.None);

        observed.InSync.ShouldBeTrue();
        (await ObjectOfAsync(host, tenant)).ShouldBe(demoNumber.Id);
        recorded.Operations.Count(o => ReferenceEquals(o, ConnectOperations.DescribePhoneNumber)).ShouldBe(1, "the first US DID is claimed: nothing more is described");

        // Once that claim reads FAILED, the next US DID is described and taken (claimed, or still claiming: the Sandbox takes
        // 150 ms); the GB and toll-free ones never are.
        await host.Console.AlterAsync(tenant.Id, SandboxKinds.ConnectPhoneNumber, demoNumber.Id, "status", ConnectPhoneNumber.Failed);
        recorded.Operations.Clear();
        observed = await resource.ObserveAsync(context, CancellationToken.None);

        observed.State.ShouldBeOneOf(ObservedState.InProgress, ObservedState.Present);
        (await ObjectOfAsync(host, tenant)).ShouldBe(others[2]);
        recorded.Operations.Count(o => ReferenceEquals(o, ConnectOperations.DescribePhoneNumber)).ShouldBe(2);
    }

    [Fact]
    public async Task A_country_with_no_numbers_available_fails_its_step_naming_the_country_and_the_type_in_words()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        var specs = host.Services.GetRequiredService<TenantSpecService>();
        var record = (await specs.GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record;
        record.Spec.Connect.PhoneNumber = new PhoneNumberSpec { CountryCode = "NL", Type = PhoneNumberType.TollFree };
        (await specs.SaveCompleteAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), record.Spec, record.Version)).ShouldBeOfType<SpecSaveResult.Saved>();

        var apply = await host.ApplyAsync(tenant.Id);

        apply.Steps.Single(s => s.ResourceKey == ResourceKeys.ConnectPhoneNumber).Message.ShouldNotBeNull()
            .ShouldContain("AWS has no toll-free numbers available in the Netherlands right now.");
    }

    private static string Number(SandboxObjectView phoneNumber) =>
        System.Text.Json.JsonDocument.Parse(phoneNumber.Json).RootElement.GetProperty("number").GetString()!;

    /// <summary>The number the Sandbox console takes for the tenant's, as its plan finds it.</summary>
    private static async Task<string?> ObjectOfAsync(ReconciliationTestHost host, TenantView tenant) =>
        (await host.Services.GetRequiredService<SandboxChanges>().TargetsAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))[ResourceKeys.ConnectPhoneNumber].ObjectId;

    /// <summary>The tenant's setup after its first apply, on its Sandbox account reached through a caller that records each operation.</summary>
    private static async Task<(ReconcileContext Context, RecordingCaller Recorded)> ContextAsync(ReconciliationTestHost host, TenantView tenant)
    {
        var spec = (await host.Services.GetRequiredService<TenantSpecService>().GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record.Spec;
        var recorded = new RecordingCaller(AwsTestKit.Caller(tenant.Region));
        var account = host.Services.GetRequiredService<SandboxAccounts>().Open(tenant, _ => recorded);
        return (new ReconcileContext(tenant, spec, account, host.Services.GetRequiredService<CcpPageGenerator>(), ConnectStreamsAsset.Instance,
            TimeProvider.System, new ReconciliationOptions()), recorded);
    }
}
