using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Sandbox;

public sealed class SandboxIdentityCenterGatewayTests : SandboxTests
{
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
        TenantSpecRules.MetadataUrl(application.MetadataUrl, SpecTarget.Of(World.Tenant)).ShouldBeNull();
        TenantSpecRules.StartUrl(application.StartUrl).ShouldBeNull();
        application.MetadataUrl.ShouldStartWith("https://portal.sso.us-east-1.amazonaws.com/saml/metadata/", Case.Sensitive, "Identity Center's portal is in its home region");
        IdentityCenterMetadataUrl.RegionOf(application.MetadataUrl).ShouldBe(World.IdentityCenterRegion);

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
    public async Task GroupsOfMember_AreThePersonsOwnGroupAmongThoseAsked()
    {
        var world = await World.Console.GetWorldAsync(World.TenantId);
        var agents = (await IdentityCenter.FindGroupIdAsync(world.IdentityStoreId, "Agents", default))!;
        var supervisors = (await IdentityCenter.FindGroupIdAsync(world.IdentityStoreId, "Supervisors", default))!;
        var agent = (await IdentityCenter.FindUserIdAsync(world.IdentityStoreId, world.Users.First(u => u.Group == "Agents").UserName, default))!;
        var supervisor = (await IdentityCenter.FindUserIdAsync(world.IdentityStoreId, world.Users.Single(u => u.Group == "Supervisors").UserName, default))!;

        (await IdentityCenter.GroupsOfMemberAsync(world.IdentityStoreId, agent, [supervisors, agents], default)).ShouldBe([agents]);
        (await IdentityCenter.GroupsOfMemberAsync(world.IdentityStoreId, supervisor, [agents], default)).ShouldBeEmpty();
        (await Should.ThrowAsync<AwsCallException>(() => IdentityCenter.GroupsOfMemberAsync(world.IdentityStoreId, agent, [], default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
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
    public async Task World_IdentityCenterLivesInAnotherRegionThanTheTenant_AndAnswersOnlyThere()
    {
        var world = await World.Console.GetWorldAsync(World.TenantId);

        (world.Region, world.IdentityCenterRegion).ShouldBe(("eu-west-2", "us-east-1"));
        (await Account.IdentityCenterIn("us-east-1").ListInstancesAsync(default)).ShouldHaveSingleItem().InstanceArn.ShouldBe(world.IdentityCenterInstanceArn);
        (await Account.IdentityCenterIn("eu-west-2").ListInstancesAsync(default)).ShouldBeEmpty("Identity Center has no instance outside its home region");
        (await Account.IdentityCenterIn("us-west-2").ListInstancesAsync(default)).ShouldBeEmpty();
    }

    [Fact]
    public async Task AnotherRegion_HasNoApplicationAssignmentsOrIdentityStore()
    {
        var world = await World.Console.GetWorldAsync(World.TenantId);
        var application = await World.Console.CreateSamlApplicationAsync(World.TenantId, "Split CCP");
        var elsewhere = Account.IdentityCenterIn(world.Region);

        (await elsewhere.DescribeApplicationAsync(application.ApplicationArn, default)).ShouldBeNull();
        (await elsewhere.FindGroupIdAsync(world.IdentityStoreId, "Agents", default)).ShouldBeNull();
        (await elsewhere.FindUserIdAsync(world.IdentityStoreId, world.Users[0].UserName, default)).ShouldBeNull();
        (await Should.ThrowAsync<AwsCallException>(() => elsewhere.ListApplicationAssignmentsAsync(application.ApplicationArn, default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
        var group = (await IdentityCenter.FindGroupIdAsync(world.IdentityStoreId, "Agents", default))!;
        (await Should.ThrowAsync<AwsCallException>(() => elsewhere.CreateApplicationAssignmentAsync(application.ApplicationArn, group, "GROUP", default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
        (await IdentityCenter.DescribeApplicationAsync(application.ApplicationArn, default)).ShouldNotBeNull("in its home region it is there");
    }

    [Fact]
    public async Task InstanceSeededBeforeInstancesHadARegion_LivesInTheTenantsRegion()
    {
        var (instanceArn, storeId) = SandboxSeed.IdentityCenterOf(World.TenantId);
        await World.Store.RunAsync(World.TenantId, null, null, async s =>
        {
            await s.PutAsync(SandboxKinds.IdentityCenterInstance, instanceArn, new IdcInstanceRecord(instanceArn, storeId));
            return true;
        }, default);

        var world = await World.Console.GetWorldAsync(World.TenantId);
        var application = await World.Console.CreateSamlApplicationAsync(World.TenantId, "Split CCP");

        world.IdentityCenterRegion.ShouldBe("eu-west-2", "a spec of that time meant the tenant's region, and still works");
        (await Account.IdentityCenterIn("eu-west-2").ListInstancesAsync(default)).ShouldHaveSingleItem();
        (await Account.IdentityCenterIn("us-east-1").ListInstancesAsync(default)).ShouldBeEmpty();
        application.MetadataUrl.ShouldStartWith("https://portal.sso.eu-west-2.amazonaws.com/saml/metadata/");
    }

    [Theory]
    [InlineData("eu-west-2", "us-east-1")]
    [InlineData("us-east-1", "us-west-2")]
    [InlineData("us-west-2", "us-east-1")]
    [InlineData("us-gov-west-1", "us-gov-east-1")]
    public void IdentityCenterRegionFor_IsNeverTheTenantsRegion_AndInItsPartition(string tenantRegion, string expected) =>
        SandboxSeed.IdentityCenterRegionFor(tenantRegion).ShouldBe(expected);

    [Fact]
    public async Task CallerIdentity_IsASandboxRoleSessionInTheAccount()
    {
        var identity = await Account.Sts.GetCallerIdentityAsync(default);

        identity.Account.ShouldBe(Account.AccountId);
        identity.Arn.ShouldBe($"arn:aws:sts::{identity.Account}:assumed-role/SplitCcpSandbox/splitccp-acme");
        identity.UserId.ShouldMatch("^AROA[0-9A-F]{17}:splitccp-acme$");
    }
}
