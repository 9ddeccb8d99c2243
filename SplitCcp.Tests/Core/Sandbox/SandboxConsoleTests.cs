using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Sandbox;

namespace SplitCcp.Tests.Core.Sandbox;

public sealed class SandboxConsoleTests : SandboxTests
{
    private const string Policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"*"}]}""";
    private const string OacPolicy = """{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-pages/*"}]}""";

    private SandboxConsole Console => World.Console;

    [Fact]
    public async Task StoredJson_OfEveryKind_HasTheFieldsSandboxKindsNames()
    {
        await BuildEverythingAsync();

        var objects = await Console.ListAsync(World.TenantId);

        foreach (var (kind, fields) in SandboxFields.ByKind)
        {
            var ofKind = objects.Where(o => o.Kind == kind).ToList();
            ofKind.ShouldNotBeEmpty($"no {kind} was made");
            foreach (var json in ofKind.Select(o => JsonNode.Parse(o.Json)!.AsObject()))
            {
                fields.Keys.Where(f => !json.ContainsKey(f)).ShouldBeEmpty($"{kind}: {json.ToJsonString()}");
            }
        }
    }

    [Fact]
    public async Task State_SurvivesARestart_AndTransitionsAreComputedFromTheStoredTime()
    {
        var id = await Account.Connect.CreateInstanceAsync("acme-new", default);
        await Account.S3.CreateBucketAsync("acme-pages", default);

        World.Restart();
        (await Account.Connect.DescribeInstanceAsync(id, default))!.Status.ShouldBe(ConnectInstance.CreationInProgress);
        World.Time.Advance(TimeSpan.FromSeconds(20));
        World.Restart();

        (await Account.Connect.DescribeInstanceAsync(id, default))!.Status.ShouldBe(ConnectInstance.Active);
        (await Account.S3.BucketExistsAsync("acme-pages", default)).ShouldBeTrue();
        var stored = (await World.RowsAsync(SandboxKinds.ConnectInstance)).Single(r => r.Id == id);
        JsonNode.Parse(stored.Json)!["status"]!.GetValue<string>().ShouldBe("ACTIVE");
        stored.Json.ShouldNotContain("pending");
        (await Account.Connect.ListInstancesAsync(default)).Count.ShouldBe(3, "the seeded world is not seeded twice");
    }

    [Fact]
    public async Task DeleteBucket_DeletesItsObjectsAndPolicy()
    {
        await Account.S3.CreateBucketAsync("acme-pages", default);
        await Account.S3.PutObjectAsync("acme-pages", "AudioOnly.html", Encoding.UTF8.GetBytes("a"), "text/html", default);
        await Account.S3.PutBucketPolicyAsync("acme-pages", OacPolicy, default);
        await Account.S3.CreateBucketAsync("acme-pages-2", default);
        await Account.S3.PutObjectAsync("acme-pages-2", "AudioOnly.html", Encoding.UTF8.GetBytes("a"), "text/html", default);

        (await Console.DeleteAsync(World.TenantId, SandboxKinds.S3Bucket, "acme-pages")).ShouldBeTrue();

        (await Account.S3.BucketExistsAsync("acme-pages", default)).ShouldBeFalse();
        (await World.RowsAsync(SandboxKinds.S3Object)).Select(o => o.Id).ShouldBe(["acme-pages-2/AudioOnly.html"]);
        (await World.RowsAsync(SandboxKinds.S3BucketPolicy)).ShouldBeEmpty();
        await Account.S3.CreateBucketAsync("acme-pages", default);
        (await Account.S3.GetBucketPolicyAsync("acme-pages", default)).ShouldBeNull();
        (await Console.DeleteAsync(World.TenantId, SandboxKinds.S3Bucket, "nothing")).ShouldBeFalse();
    }

    [Fact]
    public async Task DeleteRole_DeletesItsAttachments()
    {
        var policy = await Account.Iam.CreatePolicyAsync("SplitCcp-Federation", Policy, default);
        await Account.Iam.CreateRoleAsync("SplitCcp-Agent", Policy, default);
        await Account.Iam.AttachRolePolicyAsync("SplitCcp-Agent", policy, default);

        (await Console.DeleteAsync(World.TenantId, SandboxKinds.IamRole, "SplitCcp-Agent")).ShouldBeTrue();

        (await Account.Iam.GetRoleAsync("SplitCcp-Agent", default)).ShouldBeNull();
        (await World.RowsAsync(SandboxKinds.IamRoleAttachment)).ShouldBeEmpty();
        await Account.Iam.CreateRoleAsync("SplitCcp-Agent", Policy, default);
        (await Account.Iam.ListAttachedRolePoliciesAsync("SplitCcp-Agent", default)).ShouldBeEmpty();
    }

    [Fact]
    public async Task DeleteSeededInstance_StaysDeleted()
    {
        var instance = SandboxConnect.Instances(World.Tenant)[1];

        (await Console.DeleteAsync(World.TenantId, SandboxKinds.ConnectInstance, instance.Id)).ShouldBeTrue();
        World.Restart();

        (await Account.Connect.DescribeInstanceAsync(instance.Id, default)).ShouldBeNull();
        (await World.RowsAsync(SandboxKinds.ConnectSecurityProfile)).ShouldAllBe(p => !p.Id.StartsWith(instance.Id));
    }

    [Fact]
    public async Task Alter_ChangesTheField_AndAStatusSetByHandWinsOverAPendingTransition()
    {
        var id = await Account.Connect.CreateInstanceAsync("acme-new", default);

        (await Console.AlterAsync(World.TenantId, SandboxKinds.ConnectInstance, id, "status", "CREATION_FAILED")).ShouldBeTrue();
        World.Time.Advance(TimeSpan.FromMinutes(1));

        (await Account.Connect.DescribeInstanceAsync(id, default))!.Status.ShouldBe(ConnectInstance.CreationFailed);
    }

    [Fact]
    public async Task Alter_TypedFields_AreParsed()
    {
        await Account.S3.CreateBucketAsync("acme-pages", default);
        await Account.AppStream.CreateFleetAsync(new FleetRequest("acme-fleet", "AppStream-WinServer2022-06-17-2025", "ON_DEMAND", "stream.standard.medium", 2, [], []), default);

        (await Console.AlterAsync(World.TenantId, SandboxKinds.S3Bucket, "acme-pages", "blockPublicPolicy", "false")).ShouldBeTrue();
        (await Console.AlterAsync(World.TenantId, SandboxKinds.AppStreamFleet, "acme-fleet", "desiredCapacity", "7")).ShouldBeTrue();

        (await Account.S3.GetPublicAccessBlockAsync("acme-pages", default))!.BlockPublicPolicy.ShouldBeFalse();
        (await Account.AppStream.DescribeFleetAsync("acme-fleet", default))!.DesiredCapacity.ShouldBe(7);
        (await Console.AlterAsync(World.TenantId, SandboxKinds.AppStreamFleet, "no-fleet", "desiredCapacity", "7")).ShouldBeFalse();
    }

    [Fact]
    public async Task AlterPolicyDocument_AddsADefaultVersion_MakingRoomAtFive()
    {
        var arn = await Account.Iam.CreatePolicyAsync("SplitCcp-Federation", Policy, default);
        for (var i = 0; i < 4; i++)
        {
            await Account.Iam.CreatePolicyVersionAsync(arn, Policy, setAsDefault: false, default);
        }

        var tampered = Policy.Replace("Allow", "Deny", StringComparison.Ordinal);
        (await Console.AlterAsync(World.TenantId, SandboxKinds.IamPolicy, arn, "document", tampered)).ShouldBeTrue();

        (await Account.Iam.GetPolicyAsync(arn, default))!.DefaultVersionId.ShouldBe("v6");
        (await Account.Iam.GetPolicyVersionAsync(arn, "v6", default))!.Document.ShouldBe(tampered);
        (await Account.Iam.ListPolicyVersionsAsync(arn, default)).Select(v => v.VersionId).ShouldBe(["v6", "v5", "v4", "v3", "v1"]);
    }

    [Fact]
    public async Task Alter_UnknownKindFieldOrBadValue_SaysWhatIsWrong()
    {
        var tenant = World.TenantId;

        (await Should.ThrowAsync<ArgumentException>(() => Console.AlterAsync(tenant, "connect.nothing", "x", "alias", "y")))
            .Message.ShouldContain("'connect.nothing' is not a Sandbox kind");
        (await Should.ThrowAsync<ArgumentException>(() => Console.AlterAsync(tenant, SandboxKinds.ConnectInstance, "x", "Alias", "y")))
            .Message.ShouldContain("'Alias' is not a field of connect.instance. Its fields are: alias, status, identityManagementType.");
        (await Should.ThrowAsync<ArgumentException>(() => Console.AlterAsync(tenant, SandboxKinds.AppStreamStack, "x", "name", "y")))
            .Message.ShouldContain("appstream.stack has no fields to alter");
        (await Should.ThrowAsync<ArgumentException>(() => Console.AlterAsync(tenant, SandboxKinds.S3Bucket, "x", "blockPublicAcls", "yes")))
            .Message.ShouldContain("'yes' is not true or false");
        (await Should.ThrowAsync<ArgumentException>(() => Console.AlterAsync(tenant, SandboxKinds.AppStreamFleet, "x", "desiredCapacity", "2.5")))
            .Message.ShouldContain("not a whole number");
        (await Should.ThrowAsync<ArgumentException>(() => Console.AlterAsync(tenant, SandboxKinds.IamRole, "x", "trustPolicy", "{oops")))
            .Message.ShouldContain("not a JSON object");
        (await Should.ThrowAsync<ArgumentException>(() => Console.DeleteAsync(tenant, "s3.nothing", "x")))
            .ParamName.ShouldBe("kind");
    }

    [Fact]
    public async Task CaptureImage_NeedsTheBuilder_AndANewName()
    {
        await Should.ThrowAsync<InvalidOperationException>(() => Console.CaptureImageAsync(World.TenantId, "acme-builder", "acme-image"));

        await Account.AppStream.CreateImageBuilderAsync(new ImageBuilderRequest("acme-builder", "AppStream-WinServer2022-06-17-2025", "stream.standard.medium", [], []), default);
        var image = await Console.CaptureImageAsync(World.TenantId, "acme-builder", "acme-image");

        image.Arn.ShouldBe($"arn:aws:appstream:eu-west-2:{Account.AccountId}:image/acme-image");
        (await Account.AppStream.DescribeImageAsync("acme-image", default)).ShouldBe(image);
        await Should.ThrowAsync<InvalidOperationException>(() => Console.CaptureImageAsync(World.TenantId, "acme-builder", "acme-image"));
    }

    [Fact]
    public async Task AddSplitCcpSandbox_RegistersEverything_WithOptionsFromConfiguration()
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["SplitCcp:Sandbox:ThrottleRate"] = "0.25",
                ["SplitCcp:Sandbox:InstanceCreation"] = "00:00:05",
            }).Build())
            .AddSingleton<TimeProvider>(World.Time)
            .AddSingleton(World.Host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>())
            .AddSplitCcpSandbox();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var options = provider.GetRequiredService<IOptionsMonitor<SandboxOptions>>().CurrentValue;
        (options.ThrottleRate, options.InstanceCreation).ShouldBe((0.25, TimeSpan.FromSeconds(5)));
        var account = provider.GetRequiredService<SandboxAccounts>().Open(World.Tenant, _ => World.Caller);
        account.AccountId.ShouldBe(SandboxAccount.AccountIdFor(World.TenantId));
        (await provider.GetRequiredService<SandboxConsole>().GetWorldAsync(World.TenantId)).Users.Count.ShouldBe(5);
    }

    /// <summary>At least one object of every kind, through the gateways as the portal would make them.</summary>
    private async Task BuildEverythingAsync()
    {
        var world = await Console.GetWorldAsync(World.TenantId);
        var instance = world.ConnectInstances.Single(i => i.UsesSaml);
        var routing = (await Account.Connect.ListRoutingProfilesAsync(instance.Id, default))[0].Id;
        var security = (await Account.Connect.ListSecurityProfilesAsync(instance.Id, default))[0].Id;
        await Account.Connect.CreateUserAsync(instance.Id, world.Users[0].UserName, world.Users[0].FirstName, world.Users[0].LastName, routing, [security], default);
        var number = (await Account.Connect.SearchAvailablePhoneNumbersAsync(instance.Arn, "GB", "DID", 1, default))[0];
        await Account.Connect.ClaimPhoneNumberAsync(instance.Arn, number, "t", default);
        await Account.Connect.AssociateApprovedOriginAsync(instance.Id, "https://d111111abcdef8.cloudfront.net", default);

        var application = await Console.CreateSamlApplicationAsync(World.TenantId, "Split CCP");
        var metadata = (await IdentityCenter.GetSamlMetadataAsync(application.MetadataUrl, default))!;
        var group = (await IdentityCenter.FindGroupIdAsync(world.IdentityStoreId, "Agents", default))!;
        await IdentityCenter.CreateApplicationAssignmentAsync(application.ApplicationArn, group, "GROUP", default);

        await Account.Iam.CreateSamlProviderAsync("SplitCcp-IdC", metadata, default);
        var policy = await Account.Iam.CreatePolicyAsync("SplitCcp-Federation", Policy, default);
        await Account.Iam.CreateRoleAsync("SplitCcp-Agent", Policy, default);
        await Account.Iam.AttachRolePolicyAsync("SplitCcp-Agent", policy, default);

        await Account.S3.CreateBucketAsync("acme-pages", default);
        await Account.S3.PutBucketPolicyAsync("acme-pages", OacPolicy, default);
        await Account.S3.PutObjectAsync("acme-pages", "AudioOnly.html", Encoding.UTF8.GetBytes("a"), "text/html", default);
        var oac = await Account.CloudFront.CreateOriginAccessControlAsync("acme-oac", default);
        await Account.CloudFront.CreateDistributionAsync("ref", "splitccp:acme", "acme-pages.s3.eu-west-2.amazonaws.com", oac.Id, default);

        await Account.AppStream.CreateImageBuilderAsync(new ImageBuilderRequest("acme-builder", world.BaseImages[0], "stream.standard.medium", [], []), default);
        await Account.AppStream.CreateFleetAsync(new FleetRequest("acme-fleet", world.BaseImages[0], "ON_DEMAND", "stream.standard.medium", 2, [], []), default);
        await Account.AppStream.CreateStackAsync("acme-stack", default);
        await Account.AppStream.AssociateFleetAsync("acme-fleet", "acme-stack", default);
    }
}
