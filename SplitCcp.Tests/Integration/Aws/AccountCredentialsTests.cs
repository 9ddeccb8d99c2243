using Amazon.Runtime;
using Microsoft.Extensions.Time.Testing;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Tests.Integration.Aws;

public sealed class AccountCredentialsTests(MotoServer moto) : IClassFixture<MotoServer>
{
    static AccountCredentialsTests()
    {
        // The portal's own identity (the default chain) that assumes roles in tenants' accounts; moto accepts any key.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "AKIAPORTALTESTING000");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "portal-testing-secret");
    }

    private TenantView AssumeRoleTenant() => new(
        Guid.NewGuid(), "Acme", "acme", "eu-west-2", AwsAccessMode.AssumeRole,
        "arn:aws:iam::123456789012:role/SplitCcpAccess", "acme-external-id", null, false, moto.Endpoint.ToString().TrimEnd('/'),
        DateTime.UtcNow, DateTime.UtcNow, 1);

    [Fact]
    public async Task ForTenantAsync_AssumeRole_ReusesTheSessionUntilShortlyBeforeItExpires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var credentials = new AccountCredentials(time, (_, _) => Task.FromResult<string?>(null));
        var tenant = AssumeRoleTenant();

        var first = await credentials.ForTenantAsync(tenant, CancellationToken.None);
        time.Advance(AccountCredentials.SessionDuration - AccountCredentials.RenewBefore - TimeSpan.FromSeconds(1));
        var stillCached = await credentials.ForTenantAsync(tenant, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(2));
        var renewed = await credentials.ForTenantAsync(tenant, CancellationToken.None);

        first.ShouldBeOfType<SessionAWSCredentials>();
        stillCached.ShouldBeSameAs(first);
        renewed.ShouldNotBeSameAs(first);
        (await renewed.GetCredentialsAsync()).AccessKey.ShouldNotBe((await first.GetCredentialsAsync()).AccessKey, "STS issued a new session");
        (await first.GetCredentialsAsync()).Token.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Held_AssumeRole_RenewsTheSessionOfAnAccountHeldPastIt()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var credentials = new AccountCredentials(time, (_, _) => Task.FromResult<string?>(null));
        var tenant = AssumeRoleTenant();
        var held = credentials.Held(tenant, await credentials.ForTenantAsync(tenant, CancellationToken.None));

        var first = await held.GetCredentialsAsync();
        time.Advance(AccountCredentials.SessionDuration);
        var later = await held.GetCredentialsAsync();

        later.AccessKey.ShouldNotBe(first.AccessKey, "an apply that holds its account for an hour signs with a new session, not the expired one");
    }

    [Fact]
    public async Task ForTenantAsync_AccessKeys_UsesTheStoredSecret()
    {
        var tenant = AssumeRoleTenant() with { AccessMode = AwsAccessMode.AccessKeys, AccessKeyId = "AKIAIOSFODNN7EXAMPLE", HasSecretAccessKey = true };
        var credentials = new AccountCredentials(TimeProvider.System, (id, _) => Task.FromResult<string?>(id == tenant.Id ? "stored-secret-value" : null));

        var resolved = await (await credentials.ForTenantAsync(tenant, CancellationToken.None)).GetCredentialsAsync();

        resolved.AccessKey.ShouldBe("AKIAIOSFODNN7EXAMPLE");
        resolved.SecretKey.ShouldBe("stored-secret-value");
    }

    [Fact]
    public async Task ForTenantAsync_AccessKeysWithoutStoredSecret_SaysWhatToDo()
    {
        var tenant = AssumeRoleTenant() with { AccessMode = AwsAccessMode.AccessKeys, AccessKeyId = "AKIAIOSFODNN7EXAMPLE" };
        var credentials = new AccountCredentials(TimeProvider.System, (_, _) => Task.FromResult<string?>(null));

        var ex = await Should.ThrowAsync<AwsCallException>(() => credentials.ForTenantAsync(tenant, CancellationToken.None));

        ex.Message.ShouldContain("Enter it on the tenant page");
        ex.Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
    }
}
