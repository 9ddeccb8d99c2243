using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Core.Reconciliation;

namespace SplitCcp.Tests.Integration.Aws;

/// <summary>
/// Plan and apply through the real gateways against moto_server: the same engine as on the Sandbox, over the AWS wire
/// protocol. moto has no Identity Center, AppStream or Connect approved origins, so those resources are reported as blocked
/// with AWS's answer, never as a crash, while IAM, S3 and the Connect instance are created and then read back in sync.
/// </summary>
[Collection(SplitCcp.Tests.Core.Reconciliation.RealTimeTests.Name)]
public sealed class MotoReconciliationTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [Fact]
    public async Task Plans_and_applies_through_the_real_gateways_and_reads_the_result_back_in_sync()
    {
        await moto.ResetAsync();
        await using var host = await ReconciliationTestHost.StartAsync();
        var (tenant, _) = await CreateTenantAsync(host);

        var plan = await host.PlanAsync(tenant.Id);

        Action(plan, ResourceKeys.Account).ShouldBe(PlanAction.InSync);
        Action(plan, ResourceKeys.ConnectInstance).ShouldBe(PlanAction.Create);
        Action(plan, ResourceKeys.FederationPolicy).ShouldBe(PlanAction.Create);
        Action(plan, ResourceKeys.Bucket).ShouldBe(PlanAction.Create);
        var application = plan.Items.Single(i => i.Key == ResourceKeys.IdentityCenterApplication);
        application.Action.ShouldBeOneOf(PlanAction.Blocked, PlanAction.Manual);

        var apply = await host.ApplyAsync(tenant.Id);

        apply.Steps.Single(s => s.ResourceKey == ResourceKeys.ConnectInstance).State.ShouldBe(ApplyStepState.Succeeded);
        apply.Steps.Single(s => s.ResourceKey == ResourceKeys.Bucket).State.ShouldBe(ApplyStepState.Succeeded);
        var after = await host.PlanAsync(tenant.Id);
        foreach (var key in new[] { ResourceKeys.ConnectInstance, ResourceKeys.FederationPolicy, ResourceKeys.Bucket, ResourceKeys.BucketPolicy, ResourceKeys.CcpObject(SetupValues.AudioOnlyPageName) })
        {
            Action(after, key).ShouldBe(PlanAction.InSync, key);
        }

        // The pages' bucket address does not exist on an emulator: the synthetic checks fetch the objects path-style from it.
        var report = (await host.Services.GetRequiredService<DriftChecker>().CheckAsync(tenant.Id, CancellationToken.None))!;
        foreach (var key in new[] { SyntheticChecks.AudioOnlyPageKey, SyntheticChecks.InSessionPageKey, SyntheticChecks.ConnectStreamsKey })
        {
            var check = report.Resources.Single(r => r.Key == key);
            check.State.ShouldBe(DriftState.InSync, $"{key}: {check.Message} {string.Join(", ", check.Changes)}");
        }
    }

    [Fact]
    public async Task Changes_made_in_the_account_behind_the_portals_back_are_found_by_a_drift_check()
    {
        await moto.ResetAsync();
        await using var host = await ReconciliationTestHost.StartAsync();
        var (tenant, spec) = await CreateTenantAsync(host);
        await host.ApplyAsync(tenant.Id);
        var drift = host.Services.GetRequiredService<DriftService>();
        var before = (await drift.CheckNowAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldBeOfType<CheckResult.Checked>().Report;
        State(before, ResourceKeys.BucketPolicy).ShouldBe(DriftState.InSync);
        State(before, ResourceKeys.CcpObject(SetupValues.AudioOnlyPageName)).ShouldBe(DriftState.InSync);

        using var s3 = new AmazonS3Client(new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            new AmazonS3Config { ServiceURL = moto.Endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = spec.Hosting.BucketName, Key = SetupValues.AudioOnlyPageName, ContentBody = "<html>changed by hand</html>", ContentType = "text/html",
        });
        var edited = (await drift.CheckNowAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldBeOfType<CheckResult.Checked>().Report;

        var page = edited.Resources.Single(r => r.Key == ResourceKeys.CcpObject(SetupValues.AudioOnlyPageName));
        page.State.ShouldBe(DriftState.Drifted);
        page.Changes.ShouldContain(c => c.Expected != c.Actual);
        var served = edited.Resources.Single(r => r.Key == SyntheticChecks.AudioOnlyPageKey);
        served.State.ShouldBe(DriftState.Drifted, "agents now load the changed page");
        served.Changes.ShouldContain(c => c.Field == "sha256" && c.Expected != c.Actual);
        State(edited, ResourceKeys.ConnectInstance).ShouldBe(DriftState.InSync);

        await s3.DeleteBucketPolicyAsync(spec.Hosting.BucketName);
        var withoutPolicy = (await drift.CheckNowAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldBeOfType<CheckResult.Checked>().Report;

        State(withoutPolicy, ResourceKeys.BucketPolicy).ShouldBe(DriftState.Missing);
        var history = (await drift.GetHistoryAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldNotBeNull();
        history.Count.ShouldBe(3, "three different results: in sync, a page edited, then the policy deleted too");
    }

    private static DriftState State(TenantHealthReport report, string key) => report.Resources.Single(r => r.Key == key).State;

    private async Task<(TenantView Tenant, TenantSpec Spec)> CreateTenantAsync(ReconciliationTestHost host)
    {
        var tenant = await host.Host.CreateTenantAsync(host.Operator.Principal, new TenantInput
        {
            DisplayName = "Moto tenant",
            Slug = "moto",
            Region = "us-east-1",
            AccessMode = nameof(AwsAccessMode.AccessKeys),
            AccessKeyId = "AKIAIOSFODNN7EXAMPLE",
            SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            EndpointUrl = moto.Endpoint.ToString().TrimEnd('/'),
        });
        var spec = TenantSpecDefaults.For(tenant, "123456789012");
        spec.Connect = new ConnectSpec { InstanceMode = ConnectInstanceMode.Create, InstanceAlias = "moto-split-ccp" };
        spec.IdentityCenter = new IdentityCenterSpec
        {
            InstanceArn = "arn:aws:sso:::instance/ssoins-1234567890abcdef",
            ApplicationArn = "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcdef",
            MetadataXml = s_samlMetadata,
            StartUrl = "https://d-1234567890.awsapps.com/start/#/saml/custom/1234",
        };
        spec.Hosting.Mode = HostingMode.PublicBucket;
        spec.AppStream.ImageBuilder.SubnetIds = ["subnet-0a1b2c3d4e5f60718"];
        spec.AppStream.ImageBuilder.SecurityGroupIds = ["sg-0a1b2c3d4e5f60718"];
        (await host.Services.GetRequiredService<TenantSpecService>().SaveCompleteAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), spec, null))
            .ShouldBeOfType<SpecSaveResult.Saved>();

        return (tenant, spec);
    }

    private static PlanAction Action(Plan plan, string key) => plan.Items.Single(i => i.Key == key).Action;

    private static readonly string s_samlMetadata = $"""
        <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://portal.sso.us-east-1.amazonaws.com/saml/assertion/MTIzNDU2Nzg5MDEy">
          <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
            <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{new string('A', 1200)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
            <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://portal.sso.us-east-1.amazonaws.com/saml/assertion/MTIzNDU2Nzg5MDEy"/>
          </md:IDPSSODescriptor>
        </md:EntityDescriptor>
        """;
}
