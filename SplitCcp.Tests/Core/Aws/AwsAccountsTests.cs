using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Components.Wizard;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Aws;

/// <summary>Opening a tenant's account through the provider registered for its access mode, and what each provider knows without a call.</summary>
public sealed class AwsAccountsTests
{
    [Fact]
    public async Task OpenAsync_OpensThroughTheProviderOfTheTenantsMode_WithCallersForTheAccountAndRegion()
    {
        var keys = new FakeProvider("111122223333", AwsAccessMode.AccessKeys);
        var role = new FakeProvider("444455556666", AwsAccessMode.AssumeRole, AwsAccessMode.DefaultCredentials);
        var accounts = Accounts(keys, role);

        var account = await accounts.OpenAsync(WizardSteps.Tenant(AwsAccessMode.DefaultCredentials), CancellationToken.None);

        account.AccountId.ShouldBe("444455556666");
        role.Opened.ShouldBe(1);
        keys.Opened.ShouldBe(0);
        role.Caller.ShouldBeOfType<AwsCaller>();
    }

    [Fact]
    public async Task OpenAsync_ModeNoProviderServes_IsRefusedInTheOperatorsWords()
    {
        var accounts = Accounts(new FakeProvider("111122223333", AwsAccessMode.AccessKeys));

        var refused = await Should.ThrowAsync<AwsCallException>(() => accounts.OpenAsync(WizardSteps.Tenant(AwsAccessMode.AssumeRole), CancellationToken.None));

        refused.Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
        refused.Failure.Message.ShouldContain("access mode AssumeRole");
        accounts.AccountIdOf(WizardSteps.Tenant(AwsAccessMode.AssumeRole)).ShouldBeNull();
    }

    [Fact]
    public void Construction_TwoProvidersForOneMode_Throws() =>
        Should.Throw<ArgumentException>(() => Accounts(new FakeProvider("1", AwsAccessMode.AccessKeys), new FakeProvider("2", AwsAccessMode.AccessKeys)));

    [Fact]
    public void KnownAccountId_RealAccounts_OnlyTheAssumedRolesAccount()
    {
        var real = new RealAwsAccounts(new AccountCredentials(TimeProvider.System, (_, _) => Task.FromResult<string?>(null)), TimeProvider.System);

        real.KnownAccountId(WizardSteps.Tenant(AwsAccessMode.AssumeRole) with { RoleArn = "arn:aws:iam::123456789012:role/SplitCcpAccess" }).ShouldBe("123456789012");
        real.KnownAccountId(WizardSteps.Tenant(AwsAccessMode.AccessKeys)).ShouldBeNull();
        real.KnownAccountId(WizardSteps.Tenant(AwsAccessMode.DefaultCredentials)).ShouldBeNull();
        real.Modes.ShouldNotContain(AwsAccessMode.Sandbox);
    }

    [Fact]
    public async Task OpenAsync_RealAccountsGivenAModeTheyDoNotServe_RefuseItBeforeAnyCall()
    {
        using var real = new RealAwsAccounts(new AccountCredentials(TimeProvider.System, (_, _) => Task.FromResult<string?>(null)), TimeProvider.System);
        var callers = 0;

        var refused = await Should.ThrowAsync<AwsCallException>(() => real.OpenAsync(WizardSteps.Tenant(AwsAccessMode.Sandbox), (account, region) =>
        {
            callers++;
            throw new InvalidOperationException("No caller should be asked for.");
        }, CancellationToken.None));

        refused.Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
        refused.Failure.Message.ShouldContain("takes no AWS credentials");
        callers.ShouldBe(0);
    }

    [Fact]
    public async Task NewTenantsSetup_NamesTheAccountItsProviderKnows()
    {
        await using var host = await CoreTestHost.StartAsync();
        var user = await host.CreateOperatorAsync();
        var sandbox = await host.CreateTenantAsync(user.Principal, "sandbox-co");
        var assumed = await host.CreateTenantAsync(user.Principal, CoreTestHost.SandboxInput("role-co") with
        {
            AccessMode = nameof(AwsAccessMode.AssumeRole), RoleArn = "arn:aws:iam::123456789012:role/SplitCcpAccess", ExternalId = "0123456789abcdef0123456789abcdef",
        });
        var specs = host.Services.GetRequiredService<TenantSpecService>();

        (await specs.GetAsync(await host.TenantAsync(user.Principal, sandbox.Id)))!.Value.Record.Spec.AwsAccountId.ShouldBe(SandboxAccount.AccountIdFor(sandbox.Id));
        (await specs.GetAsync(await host.TenantAsync(user.Principal, assumed.Id)))!.Value.Record.Spec.AwsAccountId.ShouldBe("123456789012");
    }

    private static AwsAccounts Accounts(params IAwsAccountProvider[] providers)
    {
        var limits = new AwsRateLimitOptions();
        return new AwsAccounts(providers, new AwsRateLimiter(TimeProvider.System, limits.LimitFor), Options.Create(limits),
            new AwsRetry(new AwsRetryOptions(), TimeProvider.System), new AwsCallMetrics(new TestMeterFactory()));
    }

    private sealed class FakeProvider(string accountId, params AwsAccessMode[] modes) : IAwsAccountProvider
    {
        public IReadOnlyCollection<AwsAccessMode> Modes => modes;

        public int Opened { get; private set; }

        public IAwsCaller? Caller { get; private set; }

        public string? KnownAccountId(TenantView tenant) => accountId;

        public Task<IAwsAccount> OpenAsync(TenantView tenant, AwsCallerFactory callers, CancellationToken ct)
        {
            Opened++;
            Caller = callers(accountId, tenant.Region);
            return Task.FromResult<IAwsAccount>(new AccountOnly(accountId, tenant.Region));
        }
    }

    private sealed class AccountOnly(string accountId, string region) : IAwsAccount
    {
        public string AccountId => accountId;

        public string Region => region;

        public IConnectGateway Connect => throw new NotSupportedException();

        public IIamGateway Iam => throw new NotSupportedException();

        public IIdentityCenterGateway IdentityCenterIn(string region) => throw new NotSupportedException();

        public IS3Gateway S3 => throw new NotSupportedException();

        public ICloudFrontGateway CloudFront => throw new NotSupportedException();

        public IAppStreamGateway AppStream => throw new NotSupportedException();

        public IStsGateway Sts => throw new NotSupportedException();

        public IPublishedSite PublishedSite => throw new NotSupportedException();
    }
}
