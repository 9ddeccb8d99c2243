using System.Collections.Concurrent;
using Amazon.Runtime;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Aws.Signed;
using SplitCcp.Tests.Infrastructure;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Tests.Integration.Aws;

public sealed class RealAwsAccountTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private static readonly BasicAWSCredentials s_credentials = new("AKIAMOTOTESTING00001", "moto-testing-secret");

    private static TenantView Tenant(AwsAccessMode mode, string? endpoint) => new(
        Guid.NewGuid(), "Acme", "acme", "eu-west-2", mode, null, null, "AKIAMOTOTESTING00001", true, endpoint, DateTime.UtcNow, DateTime.UtcNow, 1);

    [Fact]
    public async Task Account_WithAnEndpointOverride_SendsEveryServiceThere()
    {
        var account = new RealAwsAccount(Tenant(AwsAccessMode.AccessKeys, moto.Endpoint.ToString()), s_credentials, AwsTestKit.AccountId, AwsTestKit.Caller, AwsTestKit.Http, AwsTestKit.PagesHttp);
        var suffix = Guid.NewGuid().ToString("N")[..8];

        var instanceId = await account.Connect.CreateInstanceAsync($"acme-{suffix}", CancellationToken.None);
        var roleArn = await account.Iam.CreateRoleAsync($"acme-{suffix}", """{"Version":"2012-10-17","Statement":[]}""", CancellationToken.None);
        var oac = await account.CloudFront.CreateOriginAccessControlAsync($"acme-{suffix}", CancellationToken.None);

        (await account.Connect.DescribeInstanceAsync(instanceId, CancellationToken.None)).ShouldNotBeNull();
        (await account.Iam.GetRoleAsync($"acme-{suffix}", CancellationToken.None))!.Arn.ShouldBe(roleArn);
        (await account.CloudFront.FindOriginAccessControlAsync($"acme-{suffix}", CancellationToken.None)).ShouldBe(oac);
        account.AccountId.ShouldBe(AwsTestKit.AccountId);
        account.Region.ShouldBe("eu-west-2");
        account.AppStream.ShouldNotBeNull();
        account.IdentityCenterIn("us-east-1").ShouldNotBeNull();
    }

    [Fact]
    public async Task IdentityCenterRequests_GoToTheIdentityCenterRegion_SignedAndRateLimitedForIt()
    {
        await using var stub = await AwsStub.StartAsync();
        stub.SigningRegions["sso"] = "us-east-1";
        stub.SigningRegions["identitystore"] = "us-east-1";
        const string InstanceArn = "arn:aws:sso:::instance/ssoins-1111222233334444";
        stub.OnTarget("sso", "SWBExternalService.ListInstances", _ => StubReply.Json(new { Instances = new[] { new { InstanceArn, IdentityStoreId = "d-1234567890" } } }));
        stub.OnTarget("identitystore", "AWSIdentityStore.GetGroupId", _ => StubReply.Json(new { IdentityStoreId = "d-1234567890", GroupId = "g-agents" }));
        var limited = new ConcurrentQueue<AwsRateKey>();
        var limits = new AwsRateLimitOptions();
        var limiter = new AwsRateLimiter(TimeProvider.System, key =>
        {
            limited.Enqueue(key);
            return new AwsRateLimit(1000, 1000);
        });
        using var http = AwsTestKit.DeliveringTo(stub.Endpoint);
        var account = new RealAwsAccount(Tenant(AwsAccessMode.AccessKeys, null), new BasicAWSCredentials(AwsStub.AccessKey, AwsStub.SecretKey), AwsTestKit.AccountId,
            region => new AwsCaller(AwsTestKit.AccountId, region, limiter, limits, new AwsRetry(AwsTestKit.FastRetry, TimeProvider.System), new AwsCallMetrics(new TestMeterFactory())),
            http, AwsTestKit.PagesHttp);

        var identityCenter = account.IdentityCenterIn("us-east-1");
        var instance = (await identityCenter.ListInstancesAsync(CancellationToken.None)).ShouldHaveSingleItem();
        var group = await identityCenter.FindGroupIdAsync(instance.IdentityStoreId, "Agents", CancellationToken.None);

        stub.Refusals.ShouldBeEmpty();
        group.ShouldBe("g-agents");
        stub.Calls.Select(c => (c.Headers["host"], c.SigningRegion)).ShouldBe(
            [("sso.us-east-1.amazonaws.com", "us-east-1"), ("identitystore.us-east-1.amazonaws.com", "us-east-1")],
            "the tenant is in eu-west-2, its Identity Center in us-east-1");
        limited.Select(k => (k.Region, k.Service)).ShouldBe([("us-east-1", AwsServices.IdentityCenter), ("us-east-1", AwsServices.IdentityStore)]);
    }

    [Fact]
    public async Task GovCloudTenant_IamRequests_GoToTheGovCloudEndpoint_SignedForItsRegion()
    {
        await using var stub = await AwsStub.StartAsync();
        stub.SigningRegions["iam"] = "us-gov-west-1";
        const string Arn = "arn:aws-us-gov:iam::123456789012:role/SplitCcp-Agent";
        stub.OnAction("iam", "GetRole", call => StubReply.Xml($"""
            <GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role><Arn>{Arn}</Arn>
            <RoleName>{call.Query["RoleName"]}</RoleName><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></Role></GetRoleResult></GetRoleResponse>
            """));
        using var http = AwsTestKit.DeliveringTo(stub.Endpoint);
        var tenant = Tenant(AwsAccessMode.AccessKeys, null) with { Region = "us-gov-west-1" };
        var account = new RealAwsAccount(tenant, new BasicAWSCredentials(AwsStub.AccessKey, AwsStub.SecretKey), AwsTestKit.AccountId,
            AwsTestKit.Caller, http, AwsTestKit.PagesHttp);

        var role = await account.Iam.GetRoleAsync("SplitCcp-Agent", CancellationToken.None);

        stub.Refusals.ShouldBeEmpty();
        role!.Arn.ShouldBe(Arn);
        var call = stub.Calls.ShouldHaveSingleItem();
        call.Headers["host"].ShouldBe("iam.us-gov.amazonaws.com");
        call.SigningRegion.ShouldBe("us-gov-west-1");
    }

    [Fact]
    public void Account_S3AndSts_GoThroughTheSdkGateways()
    {
        var account = new RealAwsAccount(Tenant(AwsAccessMode.DefaultCredentials, null), s_credentials, AwsTestKit.AccountId, AwsTestKit.Caller, AwsTestKit.Http, AwsTestKit.PagesHttp);

        account.S3.ShouldBeOfType<SplitCcp.Core.Aws.Gateways.S3Gateway>();
        account.Sts.ShouldBeOfType<SplitCcp.Core.Aws.Gateways.StsGateway>();
    }

    [Theory]
    [InlineData("eu-west-2", "https://sts.eu-west-2.amazonaws.com/", "https://pages.s3.eu-west-2.amazonaws.com/")]
    [InlineData("us-gov-west-1", "https://sts.us-gov-west-1.amazonaws.com/", "https://pages.s3.us-gov-west-1.amazonaws.com/")]
    public void SdkGateways_ForARegion_UseItsPartitionsEndpoints(string region, string sts, string s3)
    {
        using var stsClient = new Amazon.SecurityToken.AmazonSecurityTokenServiceClient(s_credentials,
            AwsSdkCalls.Configure(new Amazon.SecurityToken.AmazonSecurityTokenServiceConfig(), region, null));
        using var s3Client = new Amazon.S3.AmazonS3Client(s_credentials, S3Gateway.CreateConfig(region, null));

        stsClient.DetermineServiceOperationEndpoint(new Amazon.SecurityToken.Model.GetCallerIdentityRequest()).URL.ShouldBe(sts);
        s3Client.DetermineServiceOperationEndpoint(new Amazon.S3.Model.GetBucketPolicyRequest { BucketName = "pages" }).URL.ShouldBe(s3);
    }

    [Fact]
    public void Endpoints_WithoutOverride_AreAwsRegionalOrGlobalHosts()
    {
        var client = new AwsSignedClient(AwsTestKit.Http, s_credentials, "ap-southeast-2");

        client.EndpointFor(AwsSignedService.Connect).ShouldBe(new Uri("https://connect.ap-southeast-2.amazonaws.com"));
        client.EndpointFor(AwsSignedService.AppStream).ShouldBe(new Uri("https://appstream2.ap-southeast-2.amazonaws.com"));
        client.EndpointFor(AwsSignedService.SsoAdmin).ShouldBe(new Uri("https://sso.ap-southeast-2.amazonaws.com"));
        client.EndpointFor(AwsSignedService.IdentityStore).ShouldBe(new Uri("https://identitystore.ap-southeast-2.amazonaws.com"));
        client.EndpointFor(AwsSignedService.Iam).ShouldBe(new Uri("https://iam.amazonaws.com"));
        client.EndpointFor(AwsSignedService.CloudFront).ShouldBe(new Uri("https://cloudfront.amazonaws.com"));
        (AwsSignedService.AppStream.SigningName, AwsSignedService.Iam.Global, AwsSignedService.CloudFront.Global).ShouldBe(("appstream", true, true));
    }
}
