using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Reconciliation.Drift;

/// <summary>The synthetic checks of a drift check, on the demo tenant applied to its Sandbox account.</summary>
[Collection(RealTimeTests.Name)]
public sealed class SyntheticChecksTests
{
    private static readonly string[] s_checkKeys =
        [SyntheticChecks.AudioOnlyPageKey, SyntheticChecks.InSessionPageKey, SyntheticChecks.ConnectStreamsKey, SyntheticChecks.ApprovedOriginKey];

    [Fact]
    public async Task CheckAsync_AppliedDemo_EveryCheckInSyncWithNoAwsCallBeyondThePlan()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        var faults = host.Services.GetRequiredService<SandboxFaults>();

        var before = faults.Attempts;
        await host.PlanAsync(tenant.Id);
        var planCalls = faults.Attempts - before;
        before = faults.Attempts;
        var report = await CheckAsync(host, tenant);
        var checkCalls = faults.Attempts - before;

        report.Status.ShouldBe(TenantHealthStatus.Healthy, string.Join("; ", report.Resources.Where(r => r.State != DriftState.InSync).Select(r => $"{r.Key}: {r.State} {r.Message}")));
        Checks(report).Select(r => (r.Key, r.State)).ShouldBe(s_checkKeys.Select(k => (k, DriftState.InSync)));
        Check(report, SyntheticChecks.AudioOnlyPageKey).Title.ShouldBe("AudioOnly.html as agents load it");
        checkCalls.ShouldBe(planCalls, "the pages are fetched over HTTPS and the approved origin comes from the plan: no AWS call of their own");
    }

    [Fact]
    public async Task CheckAsync_PageAlteredInTheBucket_AudioOnlyPageDriftedWithBothHashes()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        var published = Check(await CheckAsync(host, tenant), SyntheticChecks.AudioOnlyPageKey);
        var altered = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("<html>someone else's page</html>")));

        await TamperAsync(host, tenant, new(ResourceKeys.CcpObject(SetupValues.AudioOnlyPageName), SandboxChangeKind.Alter, "sha256", altered));
        var report = await CheckAsync(host, tenant);

        published.State.ShouldBe(DriftState.InSync);
        report.Status.ShouldBe(TenantHealthStatus.Drifted);
        var check = Check(report, SyntheticChecks.AudioOnlyPageKey);
        check.State.ShouldBe(DriftState.Drifted);
        var sha = check.Changes.ShouldHaveSingleItem();
        sha.Field.ShouldBe("sha256");
        sha.Actual.ShouldBe(altered);
        sha.Expected.ShouldBe(await PublishedSha256Async(host, tenant, SetupValues.AudioOnlyPageName));
        check.Message!.ShouldContain("the bucket holds that one too");
        Check(report, SyntheticChecks.InSessionPageKey).State.ShouldBe(DriftState.InSync);
    }

    [Fact]
    public async Task CheckAsync_PageDeleted_AudioOnlyPageMissing()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);

        await TamperAsync(host, tenant, new(ResourceKeys.CcpObject(SetupValues.AudioOnlyPageName), SandboxChangeKind.Delete));
        var report = await CheckAsync(host, tenant);

        var check = Check(report, SyntheticChecks.AudioOnlyPageKey);
        check.State.ShouldBe(DriftState.Missing);
        check.Changes.ShouldBe([new FieldChange("sha256", await PublishedSha256Async(host, tenant, SetupValues.AudioOnlyPageName), null)]);
        check.Message!.ShouldContain("403 Forbidden because AudioOnly.html is not in the bucket");
        Check(report, SyntheticChecks.ConnectStreamsKey).State.ShouldBe(DriftState.InSync);
    }

    [Fact]
    public async Task CheckAsync_ApprovedOriginRemoved_ApprovedOriginMissing()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        var origin = (await SpecAsync(host, tenant)).Values(tenant.Region).HostingOrigin!;

        await TamperAsync(host, tenant, new(ResourceKeys.ConnectApprovedOrigin, SandboxChangeKind.Delete));
        var report = await CheckAsync(host, tenant);

        var check = Check(report, SyntheticChecks.ApprovedOriginKey);
        check.State.ShouldBe(DriftState.Missing);
        check.Changes.ShouldBe([new FieldChange("origin", origin, null)]);
        origin.ShouldEndWith(".cloudfront.net");
        Check(report, SyntheticChecks.AudioOnlyPageKey).State.ShouldBe(DriftState.InSync, "the pages are still served; only Connect would refuse them");
    }

    [Fact]
    public async Task CheckAsync_BucketPolicyNoLongerLetsTheDistributionRead_PagesDriftedPointingAtTheBucketPolicy()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        var bucket = (await SpecAsync(host, tenant)).Spec.Hosting.BucketName;
        var otherDistribution = $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject",
              "Resource":"arn:aws:s3:::{{bucket}}/*","Condition":{"StringEquals":{"AWS:SourceArn":"arn:aws:cloudfront::111122223333:distribution/EOTHER"} } }]}
            """;

        await TamperAsync(host, tenant, new(ResourceKeys.BucketPolicy, SandboxChangeKind.Alter, "policy", otherDistribution));
        var report = await CheckAsync(host, tenant);

        report.Status.ShouldBe(TenantHealthStatus.Drifted, "the check ran and found agents refused: drift, not a failure to check");
        foreach (var key in new[] { SyntheticChecks.AudioOnlyPageKey, SyntheticChecks.InSessionPageKey, SyntheticChecks.ConnectStreamsKey })
        {
            var check = Check(report, key);
            check.State.ShouldBe(DriftState.Drifted, key);
            check.Changes.ShouldBe([new FieldChange("status", "200 OK", "403 Forbidden")]);
            check.Message!.ShouldContain("answers 403 Forbidden");
            check.Message!.ShouldContain("bucket policy lets the CloudFront distribution read the bucket");
        }
    }

    [Fact]
    public async Task CheckAsync_PublicBucketDemo_InSyncUntilTheBucketRestrictsPublicPolicies()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        var record = await SpecAsync(host, tenant);
        var spec = record.Spec;
        spec.Hosting.Mode = HostingMode.PublicBucket;
        (await host.Services.GetRequiredService<TenantSpecService>().SaveCompleteAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), spec, record.Version))
            .ShouldBeOfType<SpecSaveResult.Saved>();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        var applied = await CheckAsync(host, tenant);

        await TamperAsync(host, tenant, new(ResourceKeys.Bucket, SandboxChangeKind.Alter, "restrictPublicBuckets", "true"));
        var restricted = await CheckAsync(host, tenant);

        Checks(applied).ShouldAllBe(c => c.State == DriftState.InSync);
        var page = Check(restricted, SyntheticChecks.InSessionPageKey);
        page.State.ShouldBe(DriftState.Drifted);
        page.Message!.ShouldStartWith($"https://{spec.Hosting.BucketName}.s3.{tenant.Region}.amazonaws.com/InSession.html answers 403 Forbidden");
        page.Message!.ShouldContain("Block Public Access");
    }

    [Fact]
    public async Task CheckAsync_DemoNotAppliedYet_PagesAndOriginNotCheckedWithTheReason()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();

        var report = await CheckAsync(host, tenant);

        Checks(report).ShouldAllBe(c => c.State == DriftState.NotChecked && c.Message != null);
        Check(report, SyntheticChecks.AudioOnlyPageKey).Message.ShouldBe(
            "The pages' address is not known yet: set the CloudFront domain in the setup, or let the portal create the distribution.");
    }

    private static async Task<TenantHealthReport> CheckAsync(ReconciliationTestHost host, TenantView tenant) =>
        (await host.Services.GetRequiredService<DriftChecker>().CheckAsync(tenant.Id, CancellationToken.None)).ShouldNotBeNull();

    private static List<DriftResource> Checks(TenantHealthReport report) => report.Resources.Where(r => r.Key.StartsWith("check/", StringComparison.Ordinal)).ToList();

    private static DriftResource Check(TenantHealthReport report, string key) => report.Resources.Single(r => r.Key == key);

    private static async Task TamperAsync(ReconciliationTestHost host, TenantView tenant, SandboxChangeRequest change) =>
        (await host.Services.GetRequiredService<SandboxChanges>().ApplyAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), change)).ShouldBeOfType<SandboxChangeResult.Done>();

    private static async Task<TenantSpecRecord> SpecAsync(ReconciliationTestHost host, TenantView tenant) =>
        (await host.Services.GetRequiredService<TenantSpecService>().GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record;

    /// <summary>The hash the bucket's object has when the portal put it: what the plan expects of it.</summary>
    private static async Task<string> PublishedSha256Async(ReconciliationTestHost host, TenantView tenant, string fileName) =>
        (await host.PlanAsync(tenant.Id)).Items.Single(i => i.Key == ResourceKeys.CcpObject(fileName)).Changes.Single(c => c.Field == "sha256").Expected!;
}
