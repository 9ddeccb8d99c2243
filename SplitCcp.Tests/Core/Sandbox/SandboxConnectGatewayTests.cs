using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Sandbox;

namespace SplitCcp.Tests.Core.Sandbox;

public sealed class SandboxConnectGatewayTests : SandboxTests
{
    private IConnectGateway Connect => Account.Connect;

    [Fact]
    public async Task ListInstances_NewAccount_HasTheWizardsTwoInstancesActive()
    {
        var instances = await Connect.ListInstancesAsync(default);

        var expected = SandboxConnect.Instances(World.Tenant);
        instances.Select(i => (i.Id, i.Arn, i.Alias, i.IdentityManagementType)).ShouldBe(
            expected.Select(i => (i.Id, i.Arn, i.Alias, i.IdentityManagementType)), ignoreOrder: true);
        instances.ShouldAllBe(i => i.Status == ConnectInstance.Active);
    }

    [Fact]
    public async Task ListProfiles_SeededInstance_HasAwsDefaultProfiles()
    {
        var instance = SandboxConnect.Instances(World.Tenant)[0];

        (await Connect.ListRoutingProfilesAsync(instance.Id, default)).Select(p => p.Name).ShouldBe(["Basic Routing Profile"]);
        (await Connect.ListSecurityProfilesAsync(instance.Id, default)).Select(p => p.Name)
            .ShouldBe(["Admin", "Agent", "CallCenterManager", "QualityAnalyst"], ignoreOrder: true);
    }

    [Fact]
    public async Task CreateInstance_IsInProgressUntilTheCreationTimeHasPassed()
    {
        var id = await Connect.CreateInstanceAsync("acme-new", default);

        (await Connect.DescribeInstanceAsync(id, default))!.Status.ShouldBe(ConnectInstance.CreationInProgress);
        World.Time.Advance(TimeSpan.FromSeconds(19));
        (await Connect.DescribeInstanceAsync(id, default))!.Status.ShouldBe(ConnectInstance.CreationInProgress);
        World.Time.Advance(TimeSpan.FromSeconds(1));

        var instance = (await Connect.DescribeInstanceAsync(id, default))!;
        instance.Status.ShouldBe(ConnectInstance.Active);
        instance.UsesSaml.ShouldBeTrue();
        instance.Arn.ShouldBe($"arn:aws:connect:eu-west-2:{Account.AccountId}:instance/{id}");
        (await Connect.ListRoutingProfilesAsync(id, default)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task CreateInstance_TakenAliasInAnyCase_IsADuplicate()
    {
        await Connect.CreateInstanceAsync("acme-new", default);

        var ex = await Should.ThrowAsync<AwsCallException>(() => Connect.CreateInstanceAsync("ACME-New", default));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.Conflict);
        ex.Failure.Message.ShouldContain("already exists");
    }

    [Theory]
    [InlineData("d-1234567890")]
    [InlineData("-acme")]
    [InlineData("acme_center")]
    [InlineData("a234567890123456789012345678901234567890123456")]
    public async Task CreateInstance_BadAlias_IsInvalidInput(string alias)
    {
        var ex = await Should.ThrowAsync<AwsCallException>(() => Connect.CreateInstanceAsync(alias, default));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
    }

    [Fact]
    public async Task DescribeInstance_Unknown_IsNull() =>
        (await Connect.DescribeInstanceAsync(Guid.NewGuid().ToString(), default)).ShouldBeNull();

    [Fact]
    public async Task CreateUser_SameUsernameTwice_IsADuplicate_AndUpdatesKeepTheUser()
    {
        var instance = SandboxConnect.Instances(World.Tenant)[0].Id;
        var (routing, security) = await ProfilesAsync(instance);
        var id = await Connect.CreateUserAsync(instance, "maria@acme.example.com", "Maria", "Garcia", routing, [security], default);

        var ex = await Should.ThrowAsync<AwsCallException>(() => Connect.CreateUserAsync(instance, "Maria@acme.example.com", "M", "G", routing, [security], default));
        ex.Failure.Kind.ShouldBe(AwsFailureKind.Conflict);

        await Connect.UpdateUserIdentityInfoAsync(instance, id, "María", "García", default);
        (await Connect.ListUsersAsync(instance, default)).ShouldBe([new ConnectUserSummary(id, "maria@acme.example.com")]);
        var described = (await Connect.DescribeUserAsync(instance, id, default)).ShouldNotBeNull();
        described.ShouldBe(new ConnectUser(id, "maria@acme.example.com", "María", "García") { RoutingProfileId = routing, SecurityProfileIds = described.SecurityProfileIds });
        described.SecurityProfileIds.ShouldBe([security]);
        (await Connect.DescribeUserAsync(instance, Guid.NewGuid().ToString(), default)).ShouldBeNull();
    }

    [Fact]
    public async Task CreateUser_BadUsernameOrUnknownProfile_IsRefused()
    {
        var instance = SandboxConnect.Instances(World.Tenant)[0].Id;
        var (routing, security) = await ProfilesAsync(instance);

        (await Should.ThrowAsync<AwsCallException>(() => Connect.CreateUserAsync(instance, "maria garcia", "M", "G", routing, [security], default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
        (await Should.ThrowAsync<AwsCallException>(() => Connect.CreateUserAsync(instance, "maria", "M", "G", Guid.NewGuid().ToString(), [security], default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
        (await Should.ThrowAsync<AwsCallException>(() => Connect.ListUsersAsync(Guid.NewGuid().ToString(), default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
    }

    [Fact]
    public async Task UsersOfOneInstance_DoNotCollideWithAnother()
    {
        var (first, second) = (SandboxConnect.Instances(World.Tenant)[0].Id, SandboxConnect.Instances(World.Tenant)[1].Id);
        foreach (var instance in new[] { first, second })
        {
            var (routing, security) = await ProfilesAsync(instance);
            await Connect.CreateUserAsync(instance, "agent@acme.example.com", "A", "B", routing, [security], default);
        }

        (await Connect.ListUsersAsync(second, default)).Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("US", "TOLL_FREE", @"^\+18(00|33|44|55|66|77|88)[2-9]\d{6}$")]
    [InlineData("US", "DID", @"^\+1\d{3}[2-9]\d{6}$")]
    [InlineData("GB", "DID", @"^\+44\d{10}$")]
    [InlineData("GB", "TOLL_FREE", @"^\+448(00|08)\d{7}$")]
    public async Task SearchAvailablePhoneNumbers_GivesPlausibleE164Numbers(string country, string type, string pattern)
    {
        var arn = SandboxConnect.Instances(World.Tenant)[0].Arn;

        var numbers = await Connect.SearchAvailablePhoneNumbersAsync(arn, country, type, 5, default);

        numbers.Count.ShouldBe(5);
        numbers.Distinct().Count().ShouldBe(5);
        numbers.ShouldAllBe(n => System.Text.RegularExpressions.Regex.IsMatch(n, pattern));
    }

    [Fact]
    public async Task ClaimPhoneNumber_IsInProgressThenClaimed_AndTheClientTokenMakesItIdempotent()
    {
        var arn = SandboxConnect.Instances(World.Tenant)[0].Arn;
        var number = (await Connect.SearchAvailablePhoneNumbersAsync(arn, "US", "TOLL_FREE", 1, default))[0];

        var id = await Connect.ClaimPhoneNumberAsync(arn, number, "token-1", default);
        (await Connect.ClaimPhoneNumberAsync(arn, number, "token-1", default)).ShouldBe(id);

        (await Connect.DescribePhoneNumberAsync(id, default)).ShouldBe(new ConnectPhoneNumber(id, number, "US", "TOLL_FREE", ConnectPhoneNumber.InProgress, null));
        (await Connect.ListPhoneNumbersAsync(arn, default)).ShouldBe([new ConnectPhoneNumberSummary(id, number, "US", "TOLL_FREE")], "listed at once, without a status");
        World.Time.Advance(TimeSpan.FromSeconds(5));
        (await Connect.DescribePhoneNumberAsync(id, default))!.Status.ShouldBe(ConnectPhoneNumber.Claimed);

        (await Should.ThrowAsync<AwsCallException>(() => Connect.ClaimPhoneNumberAsync(arn, number, "token-2", default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.Conflict);
        (await Should.ThrowAsync<AwsCallException>(() => Connect.ClaimPhoneNumberAsync(arn, "+18005550100", "token-1", default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.Conflict);
    }

    [Fact]
    public async Task ClaimPhoneNumber_OverTheInstancesLimit_IsAcceptedThenEndsFailedWithAwsMessage()
    {
        World.Options.CurrentValue = new SandboxOptions { PhoneNumbersPerInstance = 1 };
        var arn = SandboxConnect.Instances(World.Tenant)[0].Arn;
        var numbers = await Connect.SearchAvailablePhoneNumbersAsync(arn, "US", "DID", 2, default);

        var first = await Connect.ClaimPhoneNumberAsync(arn, numbers[0], "token-1", default);
        var second = await Connect.ClaimPhoneNumberAsync(arn, numbers[1], "token-2", default);
        (await Connect.DescribePhoneNumberAsync(second, default))!.Status.ShouldBe(ConnectPhoneNumber.InProgress);
        World.Time.Advance(TimeSpan.FromSeconds(5));

        (await Connect.DescribePhoneNumberAsync(first, default))!.Status.ShouldBe(ConnectPhoneNumber.Claimed);
        (await Connect.DescribePhoneNumberAsync(second, default)).ShouldBe(new ConnectPhoneNumber(second, numbers[1], "US", "DID", ConnectPhoneNumber.Failed,
            $"Instance {SandboxConnect.Instances(World.Tenant)[0].Id} has reached its limit of 1 claimed phone numbers."));
        (await Connect.ListPhoneNumbersAsync(arn, default)).Select(n => n.Id).ShouldBe([first, second], ignoreOrder: true, "a failed claim is still listed on the instance");
    }

    [Fact]
    public async Task AssociateApprovedOrigin_TwiceIsANoOp_AndAPathIsRefused()
    {
        var instance = SandboxConnect.Instances(World.Tenant)[0].Id;

        await Connect.AssociateApprovedOriginAsync(instance, "https://d111111abcdef8.cloudfront.net", default);
        await Connect.AssociateApprovedOriginAsync(instance, "https://d111111abcdef8.cloudfront.net", default);

        (await Connect.ListApprovedOriginsAsync(instance, default)).ShouldBe(["https://d111111abcdef8.cloudfront.net"]);
        (await Should.ThrowAsync<AwsCallException>(() => Connect.AssociateApprovedOriginAsync(instance, "https://example.com/ccp/", default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
        (await Should.ThrowAsync<AwsCallException>(() => Connect.AssociateApprovedOriginAsync(instance, "example.com", default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
    }

    private async Task<(string Routing, string Security)> ProfilesAsync(string instanceId) =>
        ((await Connect.ListRoutingProfilesAsync(instanceId, default))[0].Id,
         (await Connect.ListSecurityProfilesAsync(instanceId, default)).Single(p => p.Name == "Agent").Id);
}
