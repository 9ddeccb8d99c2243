using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Tests.Core.Tenants;

public class TenantServiceTests : IAsyncLifetime
{
    public TenantServiceTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the facts run on.</param>
    protected TenantServiceTests(StorageProvider provider)
    {
        Provider = provider;
    }

    /// <summary>The database engine the facts run on.</summary>
    protected StorageProvider Provider { get; }

    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private CoreTestHost _host = null!;
    private TestUser _operator = null!;

    private TenantService Tenants => _host.Tenants;

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync(provider: Provider);
        _operator = await _host.CreateOperatorAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task CreateAsync_ValidSandboxInput_SavesTrimmedTenantAtVersionOne()
    {
        var input = CoreTestHost.SandboxInput("acme-support", "  Acme Support  ") with { EndpointUrl = "  http://localhost:5000  " };

        var saved = (await Tenants.CreateAsync(_operator.Principal, input)).ShouldBeOfType<TenantSaveResult.Saved>().Tenant;

        saved.DisplayName.ShouldBe("Acme Support");
        saved.Slug.ShouldBe("acme-support");
        saved.Region.ShouldBe("eu-west-2");
        saved.AccessMode.ShouldBe(AwsAccessMode.Sandbox);
        saved.EndpointUrl.ShouldBe("http://localhost:5000");
        saved.HasSecretAccessKey.ShouldBeFalse();
        saved.Version.ShouldBe(1);
        saved.CreatedAt.ShouldBe(CoreTestHost.StartTime.UtcDateTime);
        saved.UpdatedAt.ShouldBe(CoreTestHost.StartTime.UtcDateTime);
        (await Tenants.GetAsync(await _host.TenantAsync(_operator.Principal, saved.Id))).ShouldBe(saved);
    }

    [Fact]
    public async Task CreateAsync_InvalidInput_ReturnsFieldErrorsAndStoresNothing()
    {
        var input = CoreTestHost.SandboxInput("Bad--Slug") with { Region = "us-east-9", EndpointUrl = "javascript:alert(1)" };

        var invalid = (await Tenants.CreateAsync(_operator.Principal, input)).ShouldBeOfType<TenantSaveResult.Invalid>();

        invalid.Errors.Keys.Order(StringComparer.Ordinal).ShouldBe(["endpointUrl", "region", "slug"]);
        (await _host.QueryScalarAsync("SELECT COUNT(*) FROM \"Tenants\"")).ShouldBe(0L);
    }

    [Fact]
    public async Task CreateAsync_SlugAlreadyUsed_ReturnsSlugFieldError()
    {
        await _host.CreateTenantAsync(_operator.Principal, "acme", "Acme One");

        var invalid = (await Tenants.CreateAsync(_operator.Principal, CoreTestHost.SandboxInput("acme", "Acme Two")))
            .ShouldBeOfType<TenantSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["slug"]);
        invalid.Errors["slug"].ShouldBe(["The slug 'acme' is already used by another tenant."]);
        (await _host.QueryScalarAsync("SELECT COUNT(*) FROM \"Tenants\"")).ShouldBe(1L);
    }

    [Fact]
    public async Task GetAsync_TenantDeletedSinceTheCheck_ReturnsNull()
    {
        var acme = await _host.TenantAsync(_operator.Principal, (await _host.CreateTenantAsync(_operator.Principal, "acme")).Id);
        (await Tenants.DeleteAsync(acme)).ShouldBeTrue();

        (await Tenants.GetAsync(acme)).ShouldBeNull();
    }

    [Fact]
    public async Task ListAsync_NoSearch_ReturnsAllOrderedByDisplayName()
    {
        await _host.CreateTenantAsync(_operator.Principal, "zeta", "Zeta");
        await _host.CreateTenantAsync(_operator.Principal, "alpha", "Alpha");
        await _host.CreateTenantAsync(_operator.Principal, "mike", "Mike");

        var page = await Tenants.ListAsync(await _host.ScopeAsync(_operator.Principal), search: null, page: 1, pageSize: 50);

        page.Items.Select(t => t.Slug).ShouldBe(["alpha", "mike", "zeta"]);
        page.Total.ShouldBe(3);
        page.Page.ShouldBe(1);
        page.PageSize.ShouldBe(50);
    }

    [Theory]
    [InlineData("ACME", new[] { "acme-support" })]
    [InlineData("globex", new[] { "globex" })]
    [InlineData("ap-south", new[] { "globex" })]
    [InlineData("  support  ", new[] { "acme-support" })]
    [InlineData("nothing-like-this", new string[] { })]
    public async Task ListAsync_Search_MatchesNameSlugOrRegionIgnoringCase(string search, string[] expectedSlugs)
    {
        await _host.CreateTenantAsync(_operator.Principal, "acme-support", "Acme Support");
        await _host.CreateTenantAsync(_operator.Principal, CoreTestHost.SandboxInput("globex", "Globex") with { Region = "ap-southeast-1" });

        var page = await Tenants.ListAsync(await _host.ScopeAsync(_operator.Principal), search, page: 1, pageSize: 50);

        page.Items.Select(t => t.Slug).ShouldBe(expectedSlugs);
        page.Total.ShouldBe(expectedSlugs.Length);
    }

    [Theory]
    [InlineData("%", "percent")]
    [InlineData("_", "underscore")]
    [InlineData("\\", "backslash")]
    public async Task ListAsync_SearchWithLikeWildcard_MatchesItLiterally(string search, string expectedSlug)
    {
        await _host.CreateTenantAsync(_operator.Principal, "percent", "100% Uptime");
        await _host.CreateTenantAsync(_operator.Principal, "underscore", "Under_Score");
        await _host.CreateTenantAsync(_operator.Principal, "backslash", "Back\\Slash");
        await _host.CreateTenantAsync(_operator.Principal, "plain", "Plain");

        var page = await Tenants.ListAsync(await _host.ScopeAsync(_operator.Principal), search, page: 1, pageSize: 50);

        page.Items.Select(t => t.Slug).ShouldBe([expectedSlug]);
    }

    [Fact]
    public async Task ListAsync_SecondPage_ReturnsNextSliceAndFullTotal()
    {
        foreach (var name in new[] { "a-one", "b-two", "c-three", "d-four", "e-five" })
        {
            await _host.CreateTenantAsync(_operator.Principal, name, name);
        }

        var second = await Tenants.ListAsync(await _host.ScopeAsync(_operator.Principal), null, page: 2, pageSize: 2);
        var last = await Tenants.ListAsync(await _host.ScopeAsync(_operator.Principal), null, page: 3, pageSize: 2);
        var beyond = await Tenants.ListAsync(await _host.ScopeAsync(_operator.Principal), null, page: 4, pageSize: 2);

        second.Items.Select(t => t.Slug).ShouldBe(["c-three", "d-four"]);
        second.Total.ShouldBe(5);
        last.Items.Select(t => t.Slug).ShouldBe(["e-five"]);
        beyond.Items.ShouldBeEmpty();
        beyond.Total.ShouldBe(5);
    }

    [Theory]
    [InlineData(0, 10, 1, 10)]
    [InlineData(-5, 10, 1, 10)]
    [InlineData(1, 0, 1, 1)]
    [InlineData(1, -1, 1, 1)]
    [InlineData(1, 100_000, 1, TenantService.MaxPageSize)]
    public async Task ListAsync_OutOfRangePaging_IsClamped(int page, int pageSize, int expectedPage, int expectedPageSize)
    {
        await _host.CreateTenantAsync(_operator.Principal, "acme");
        await _host.CreateTenantAsync(_operator.Principal, "globex");

        var result = await Tenants.ListAsync(await _host.ScopeAsync(_operator.Principal), null, page, pageSize);

        result.Page.ShouldBe(expectedPage);
        result.PageSize.ShouldBe(expectedPageSize);
        result.Items.Count.ShouldBe(Math.Min(2, expectedPageSize));
        result.Total.ShouldBe(2);
    }

    [Fact]
    public async Task UpdateAsync_CurrentVersion_SavesChangesAndBumpsVersion()
    {
        var created = await _host.CreateTenantAsync(_operator.Principal, "acme", "Acme");
        _host.Time.Advance(TimeSpan.FromMinutes(10));

        var input = CoreTestHost.SandboxInput("acme-renamed", "Acme Renamed") with { Region = "us-east-1", Version = created.Version };
        var saved = (await Tenants.UpdateAsync(await _host.TenantAsync(_operator.Principal, created.Id), input)).ShouldBeOfType<TenantSaveResult.Saved>().Tenant;

        saved.Version.ShouldBe(2);
        saved.DisplayName.ShouldBe("Acme Renamed");
        saved.Slug.ShouldBe("acme-renamed");
        saved.Region.ShouldBe("us-east-1");
        saved.CreatedAt.ShouldBe(CoreTestHost.StartTime.UtcDateTime);
        saved.UpdatedAt.ShouldBe(CoreTestHost.StartTime.UtcDateTime.AddMinutes(10));
        (await Tenants.GetAsync(await _host.TenantAsync(_operator.Principal, created.Id))).ShouldBe(saved);
    }

    [Theory]
    [InlineData("accessMode", nameof(AwsAccessMode.DefaultCredentials), null)]
    [InlineData("endpointUrl", nameof(AwsAccessMode.AccessKeys), "http://169.254.169.254")]
    public async Task UpdateAsync_TenantAdminChangingHowThePortalReachesAws_IsRefusedAndNothingChanges(string field, string mode, string? endpoint)
    {
        var created = await _host.CreateTenantAsync(_operator.Principal, AccessKeysInput("acme", Secret));
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, created.Id);

        var input = AccessKeysInput("acme", "") with { AccessMode = mode, EndpointUrl = endpoint, Version = created.Version };
        var invalid = (await Tenants.UpdateAsync(await _host.TenantAsync(admin.Principal, created.Id), input)).ShouldBeOfType<TenantSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe([field]);
        invalid.Errors[field].ShouldBe(["Only an MSP operator can change how the portal reaches this tenant's AWS account."]);
        (await Tenants.GetAsync(await _host.TenantAsync(_operator.Principal, created.Id))).ShouldBe(created);
    }

    [Fact]
    public async Task UpdateAsync_TenantAdminOfAnAssumedRole_CannotPointItAtAnotherRoleOrExternalId()
    {
        var role = CoreTestHost.SandboxInput("acme") with
        {
            AccessMode = nameof(AwsAccessMode.AssumeRole), RoleArn = "arn:aws:iam::123456789012:role/SplitCcpAccess", ExternalId = "0123456789abcdef0123456789abcdef",
        };
        var created = await _host.CreateTenantAsync(_operator.Principal, role);
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, created.Id);

        var input = role with { RoleArn = "arn:aws:iam::210987654321:role/OtherCustomer", ExternalId = "fedcba9876543210fedcba9876543210", Version = created.Version };
        var invalid = (await Tenants.UpdateAsync(await _host.TenantAsync(admin.Principal, created.Id), input)).ShouldBeOfType<TenantSaveResult.Invalid>();

        invalid.Errors.Keys.Order(StringComparer.Ordinal).ShouldBe(["externalId", "roleArn"]);
        (await Tenants.UpdateAsync(await _host.TenantAsync(_operator.Principal, created.Id), input)).ShouldBeOfType<TenantSaveResult.Saved>().Tenant.RoleArn
            .ShouldBe("arn:aws:iam::210987654321:role/OtherCustomer");
    }

    [Fact]
    public async Task UpdateAsync_TenantAdmin_MayRenameAndRotateTheAccessKeys()
    {
        var created = await _host.CreateTenantAsync(_operator.Principal, AccessKeysInput("acme", Secret));
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, created.Id);

        var input = AccessKeysInput("acme", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY") with
        {
            DisplayName = "Acme Renamed", AccessKeyId = "AKIAI44QH8DHBEXAMPLE", Version = created.Version,
        };
        var saved = (await Tenants.UpdateAsync(await _host.TenantAsync(admin.Principal, created.Id), input)).ShouldBeOfType<TenantSaveResult.Saved>().Tenant;

        saved.DisplayName.ShouldBe("Acme Renamed");
        saved.AccessKeyId.ShouldBe("AKIAI44QH8DHBEXAMPLE");
        (await Tenants.GetSecretAccessKeyAsync(created.Id, default)).ShouldBe("je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY");
    }

    [Fact]
    public async Task UpdateAsync_WithoutVersion_ReturnsVersionError()
    {
        var created = await _host.CreateTenantAsync(_operator.Principal, "acme", "Acme");

        var invalid = (await Tenants.UpdateAsync(await _host.TenantAsync(_operator.Principal, created.Id), CoreTestHost.SandboxInput("acme", "Changed")))
            .ShouldBeOfType<TenantSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["version"]);
        (await Tenants.GetAsync(await _host.TenantAsync(_operator.Principal, created.Id)))!.DisplayName.ShouldBe("Acme");
    }

    [Fact]
    public async Task UpdateAsync_StaleVersion_ReturnsConflictAndLeavesRowUnchanged()
    {
        var created = await _host.CreateTenantAsync(_operator.Principal, "acme", "Acme");
        var first = (await Tenants.UpdateAsync(await _host.TenantAsync(_operator.Principal, created.Id),
            CoreTestHost.SandboxInput("acme", "First editor") with { Version = created.Version }))
            .ShouldBeOfType<TenantSaveResult.Saved>().Tenant;

        var second = await Tenants.UpdateAsync(await _host.TenantAsync(_operator.Principal, created.Id),
            CoreTestHost.SandboxInput("acme-second", "Second editor") with { Version = created.Version });

        second.ShouldBeOfType<TenantSaveResult.Conflict>().Message.ShouldContain("now at version 2");
        var stored = await Tenants.GetAsync(await _host.TenantAsync(_operator.Principal, created.Id));
        stored.ShouldBe(first);
        (await _host.QueryScalarAsync("SELECT \"DisplayName\" FROM \"Tenants\" WHERE \"Slug\" = 'acme'")).ShouldBe("First editor");
        (await _host.QueryScalarAsync("SELECT \"Version\" FROM \"Tenants\" WHERE \"Slug\" = 'acme'")).ShouldBe(2L);
    }

    [Fact]
    public async Task UpdateAsync_SlugOfAnotherTenant_ReturnsSlugErrorAndKeepsOwnSlug()
    {
        await _host.CreateTenantAsync(_operator.Principal, "acme", "Acme");
        var globex = await _host.CreateTenantAsync(_operator.Principal, "globex", "Globex");

        var invalid = (await Tenants.UpdateAsync(await _host.TenantAsync(_operator.Principal, globex.Id),
            CoreTestHost.SandboxInput("acme", "Globex") with { Version = globex.Version }))
            .ShouldBeOfType<TenantSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["slug"]);
        (await Tenants.GetAsync(await _host.TenantAsync(_operator.Principal, globex.Id)))!.Slug.ShouldBe("globex");
    }

    [Fact]
    public async Task UpdateAsync_TenantDeletedSinceTheCheck_ReturnsNotFound()
    {
        var acme = await _host.TenantAsync(_operator.Principal, (await _host.CreateTenantAsync(_operator.Principal, "acme")).Id);
        (await Tenants.DeleteAsync(acme)).ShouldBeTrue();

        (await Tenants.UpdateAsync(acme, CoreTestHost.SandboxInput("acme") with { Version = 1 })).ShouldBeOfType<TenantSaveResult.NotFound>();
    }

    [Fact]
    public async Task DeleteAsync_ExistingTenant_RemovesItAndItsAssignments()
    {
        var acme = await _host.CreateTenantAsync(_operator.Principal, "acme");
        var globex = await _host.CreateTenantAsync(_operator.Principal, "globex");
        await _host.CreateUserAsync(Roles.Viewer, acme.Id, globex.Id);

        var checkedAcme = await _host.TenantAsync(_operator.Principal, acme.Id);
        (await Tenants.DeleteAsync(checkedAcme)).ShouldBeTrue();

        (await _host.Access.CheckAsync(_operator.Principal, acme.Id, TenantOperation.Read)).Result.ShouldBe(TenantAccessResult.NotFound);
        (await Tenants.GetAsync(await _host.TenantAsync(_operator.Principal, globex.Id))).ShouldNotBeNull();
        (await _host.QueryScalarAsync("SELECT COUNT(*) FROM \"UserTenants\"")).ShouldBe(1L);
        (await Tenants.DeleteAsync(checkedAcme)).ShouldBeFalse();
    }

    [Fact]
    public async Task CreateAsync_AccessKeys_StoresSecretEncryptedAtRest()
    {
        var saved = await _host.CreateTenantAsync(_operator.Principal, AccessKeysInput("acme", Secret));

        saved.HasSecretAccessKey.ShouldBeTrue();
        saved.AccessKeyId.ShouldBe("AKIAIOSFODNN7EXAMPLE");
        var raw = (string?)await _host.QueryScalarAsync("SELECT \"ProtectedSecretAccessKey\" FROM \"Tenants\" WHERE \"Slug\" = 'acme'");
        raw.ShouldNotBeNullOrEmpty();
        raw.ShouldNotBe(Secret);
        raw.ShouldNotContain(Secret);
        _host.DatabaseFilesContain("AKIAIOSFODNN7EXAMPLE").ShouldBeTrue("the scan must see what was just stored");
        _host.DatabaseFilesContain(Secret).ShouldBeFalse();
        (await Tenants.GetSecretAccessKeyAsync(saved.Id, CancellationToken.None)).ShouldBe(Secret);
    }

    [Fact]
    public async Task CreateAsync_AccessKeysWithoutSecret_ReturnsSecretError()
    {
        var invalid = (await Tenants.CreateAsync(_operator.Principal, AccessKeysInput("acme", secret: "")))
            .ShouldBeOfType<TenantSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["secretAccessKey"]);
        invalid.Errors["secretAccessKey"].ShouldBe(["Enter the secret access key."]);
    }

    [Fact]
    public async Task UpdateAsync_AccessKeysWithEmptySecret_KeepsStoredSecret()
    {
        var created = await _host.CreateTenantAsync(_operator.Principal, AccessKeysInput("acme", Secret));
        var rawBefore = await _host.QueryScalarAsync("SELECT \"ProtectedSecretAccessKey\" FROM \"Tenants\" WHERE \"Slug\" = 'acme'");

        var saved = (await Tenants.UpdateAsync(await _host.TenantAsync(_operator.Principal, created.Id),
            AccessKeysInput("acme", secret: "") with { DisplayName = "Acme Renamed", Version = created.Version }))
            .ShouldBeOfType<TenantSaveResult.Saved>().Tenant;

        saved.HasSecretAccessKey.ShouldBeTrue();
        saved.DisplayName.ShouldBe("Acme Renamed");
        (await _host.QueryScalarAsync("SELECT \"ProtectedSecretAccessKey\" FROM \"Tenants\" WHERE \"Slug\" = 'acme'")).ShouldBe(rawBefore);
        (await Tenants.GetSecretAccessKeyAsync(created.Id, CancellationToken.None)).ShouldBe(Secret);
    }

    [Fact]
    public async Task UpdateAsync_AccessKeysWithNewSecret_ReplacesStoredSecret()
    {
        const string newSecret = "NEWsecretKEY/0123456789abcdefABCDEF";
        var created = await _host.CreateTenantAsync(_operator.Principal, AccessKeysInput("acme", Secret));

        (await Tenants.UpdateAsync(await _host.TenantAsync(_operator.Principal, created.Id), AccessKeysInput("acme", newSecret) with { Version = created.Version }))
            .ShouldBeOfType<TenantSaveResult.Saved>();

        (await Tenants.GetSecretAccessKeyAsync(created.Id, CancellationToken.None)).ShouldBe(newSecret);
        _host.DatabaseFilesContain(newSecret).ShouldBeFalse();
    }

    [Fact]
    public async Task UpdateAsync_SwitchFromAccessKeysToAssumeRole_ClearsKeyIdAndSecret()
    {
        var created = await _host.CreateTenantAsync(_operator.Principal, AccessKeysInput("acme", Secret));
        var input = CoreTestHost.SandboxInput("acme") with
        {
            AccessMode = nameof(AwsAccessMode.AssumeRole),
            RoleArn = "arn:aws:iam::123456789012:role/SplitCcpAccess",
            ExternalId = "0123456789abcdef",
            AccessKeyId = "AKIAIOSFODNN7EXAMPLE",
            SecretAccessKey = Secret,
            Version = created.Version,
        };

        var saved = (await Tenants.UpdateAsync(await _host.TenantAsync(_operator.Principal, created.Id), input)).ShouldBeOfType<TenantSaveResult.Saved>().Tenant;

        saved.AccessMode.ShouldBe(AwsAccessMode.AssumeRole);
        saved.RoleArn.ShouldBe("arn:aws:iam::123456789012:role/SplitCcpAccess");
        saved.ExternalId.ShouldBe("0123456789abcdef");
        saved.AccessKeyId.ShouldBeNull();
        saved.HasSecretAccessKey.ShouldBeFalse();
        (await _host.QueryScalarAsync("SELECT \"ProtectedSecretAccessKey\" FROM \"Tenants\" WHERE \"Slug\" = 'acme'")).ShouldBeNull();
        (await Tenants.GetSecretAccessKeyAsync(created.Id, CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task UpdateAsync_SwitchFromAssumeRoleToSandbox_ClearsRoleFields()
    {
        var created = await _host.CreateTenantAsync(_operator.Principal, CoreTestHost.SandboxInput("acme") with
        {
            AccessMode = "assumerole",
            RoleArn = "arn:aws:iam::123456789012:role/SplitCcpAccess",
            ExternalId = "0123456789abcdef",
        });
        created.AccessMode.ShouldBe(AwsAccessMode.AssumeRole);

        var saved = (await Tenants.UpdateAsync(await _host.TenantAsync(_operator.Principal, created.Id),
            CoreTestHost.SandboxInput("acme") with { RoleArn = created.RoleArn, ExternalId = created.ExternalId, Version = created.Version }))
            .ShouldBeOfType<TenantSaveResult.Saved>().Tenant;

        saved.AccessMode.ShouldBe(AwsAccessMode.Sandbox);
        saved.RoleArn.ShouldBeNull();
        saved.ExternalId.ShouldBeNull();
    }

    [Fact]
    public async Task UpdateAsync_SwitchFromSandboxToAccessKeysWithoutSecret_ReturnsSecretError()
    {
        var created = await _host.CreateTenantAsync(_operator.Principal, "acme");

        var invalid = (await Tenants.UpdateAsync(await _host.TenantAsync(_operator.Principal, created.Id), AccessKeysInput("acme", "") with { Version = created.Version }))
            .ShouldBeOfType<TenantSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["secretAccessKey"]);
    }

    private static TenantInput AccessKeysInput(string slug, string secret) => CoreTestHost.SandboxInput(slug) with
    {
        AccessMode = nameof(AwsAccessMode.AccessKeys),
        AccessKeyId = "AKIAIOSFODNN7EXAMPLE",
        SecretAccessKey = secret,
    };
}

/// <summary>The same facts on PostgreSQL.</summary>
public sealed class PostgreSqlTenantServiceTests() : TenantServiceTests(StorageProvider.PostgreSql);
