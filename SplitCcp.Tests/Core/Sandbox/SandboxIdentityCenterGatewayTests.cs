using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Sandbox;

public sealed class SandboxIdentityCenterGatewayTests : SandboxTests
{
    private IIdentityCenterGateway IdentityCenter => Account.IdentityCenter;

    [Fact]
    public async Task ListInstances_IsTheSeededInstance_InTheFormatsTheSpecAccepts()
    {
        var instance = (await IdentityCenter.ListInstancesAsync(default)).ShouldHaveSingleItem();
        var world = await World.Console.GetWorldAsync(World.TenantId);

        instance.ShouldBe(new IdentityCenterInstance(world.IdentityCenterInstanceArn, world.IdentityStoreId));
        instance.InstanceArn.ShouldMatch("^arn:aws:sso:::instance/ssoins-[0-9a-f]{16}$");
        instance.IdentityStoreId.ShouldMatch("^d-[0-9a-f]{10}$");
        TenantSpecRules.IdentityCenterInstanceArn(instance.InstanceArn).ShouldBeNull();
    }

    [Fact]
    public async Task World_HasAgentsAndASupervisor_WhoseUserNamesAreValidConnectUsernames()
    {
        var world = await World.Console.GetWorldAsync(World.TenantId);

        world.AccountId.ShouldBe(Account.AccountId);
        world.Users.Count(u => u.Group == "Agents").ShouldBe(4);
        world.Users.Count(u => u.Group == "Supervisors").ShouldBe(1);
        world.Users.ShouldAllBe(u => TenantSpecRules.AgentEmail(u.UserName) == null && u.UserName.EndsWith("@acme.example.com"));
        world.Groups.ShouldBe(["Agents", "Supervisors"]);
        world.ConnectInstances.Count.ShouldBe(2);
        world.BaseImages.ShouldContain("AppStream-WinServer2022-06-17-2025");

        foreach (var user in world.Users)
        {
            (await IdentityCenter.FindUserIdAsync(world.IdentityStoreId, user.UserName, default)).ShouldNotBeNull();
        }

        (await IdentityCenter.FindGroupIdAsync(world.IdentityStoreId, "Agents", default)).ShouldNotBeNull();
        (await IdentityCenter.FindUserIdAsync(world.IdentityStoreId, "nobody@acme.example.com", default)).ShouldBeNull();
        (await IdentityCenter.FindGroupIdAsync(world.IdentityStoreId, "Nobody", default)).ShouldBeNull();
    }

    [Fact]
    public async Task ConsoleApplication_IsDescribed_AndServesMetadataTheSpecAndIamAccept()
    {
        var application = await World.Console.CreateSamlApplicationAsync(World.TenantId, "Split CCP");

        TenantSpecRules.IdentityCenterApplicationArn(application.ApplicationArn).ShouldBeNull();
        TenantSpecRules.MetadataUrl(application.MetadataUrl).ShouldBeNull();
        TenantSpecRules.StartUrl(application.StartUrl).ShouldBeNull();
        application.MetadataUrl.ShouldStartWith("https://portal.sso.eu-west-2.amazonaws.com/saml/metadata/");

        var described = (await IdentityCenter.DescribeApplicationAsync(application.ApplicationArn, default))!;
        described.Name.ShouldBe("Split CCP");
        described.Enabled.ShouldBeTrue();

        var metadata = (await IdentityCenter.GetSamlMetadataAsync(application.MetadataUrl, default))!;
        TenantSpecRules.MetadataXml(metadata).ShouldBeNull();
        (await IdentityCenter.GetSamlMetadataAsync(application.MetadataUrl, default)).ShouldBe(metadata, "the same document every time, so drift is meaningful");
        await Account.Iam.CreateSamlProviderAsync("SplitCcp-IdC", metadata, default);

        (await IdentityCenter.GetSamlMetadataAsync(application.MetadataUrl + "x", default)).ShouldBeNull();
        (await IdentityCenter.DescribeApplicationAsync(application.ApplicationArn + "0", default)).ShouldBeNull();
    }

    [Fact]
    public async Task Assignments_OfKnownPrincipals_AreListed_AndUnknownOnesRefused()
    {
        var world = await World.Console.GetWorldAsync(World.TenantId);
        var application = await World.Console.CreateSamlApplicationAsync(World.TenantId, "Split CCP");
        var group = (await IdentityCenter.FindGroupIdAsync(world.IdentityStoreId, "Agents", default))!;

        await IdentityCenter.CreateApplicationAssignmentAsync(application.ApplicationArn, group, "GROUP", default);
        await IdentityCenter.CreateApplicationAssignmentAsync(application.ApplicationArn, group, "GROUP", default);

        (await IdentityCenter.ListApplicationAssignmentsAsync(application.ApplicationArn, default)).ShouldBe([new ApplicationAssignment(group, "GROUP")]);
        (await Should.ThrowAsync<AwsCallException>(() => IdentityCenter.CreateApplicationAssignmentAsync(application.ApplicationArn, group, "USER", default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
        (await Should.ThrowAsync<AwsCallException>(() => IdentityCenter.ListApplicationAssignmentsAsync(application.ApplicationArn + "0", default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
    }

    [Fact]
    public async Task CallerIdentity_IsASandboxRoleSessionInTheAccount()
    {
        var identity = await Account.Sts.GetCallerIdentityAsync(default);

        identity.Account.ShouldBe(Account.AccountId);
        identity.Arn.ShouldBe($"arn:aws:sts::{identity.Account}:assumed-role/SplitCcpSandbox/splitccp-acme");
        identity.UserId.ShouldMatch("^AROA[0-9A-F]{17}:splitccp-acme$");
        Account.IsSandbox.ShouldBeTrue();
    }
}
