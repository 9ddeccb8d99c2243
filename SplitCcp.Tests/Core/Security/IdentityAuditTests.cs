using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;

namespace SplitCcp.Tests.Core.Security;

/// <summary>The identity activity: what user management and tokens record, with who, whose account and from where, and how operators read it.</summary>
public class IdentityAuditTests : IAsyncLifetime
{
    public IdentityAuditTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the facts run on.</param>
    protected IdentityAuditTests(StorageProvider provider)
    {
        Provider = provider;
    }

    /// <summary>The database engine the facts run on.</summary>
    protected StorageProvider Provider { get; }

    private const string Address = "203.0.113.7";

    private CoreTestHost _host = null!;
    private TestUser _operator = null!;

    private IdentityAudit Audit => _host.Services.GetRequiredService<IdentityAudit>();

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync(provider: Provider);
        _operator = await _host.CreateOperatorAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>The operator as a request from <see cref="Address"/> presents them: their e-mail as their name, the address the web app adds.</summary>
    private ClaimsPrincipal Operator => As(_operator);

    private static ClaimsPrincipal As(TestUser user) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.Id), new Claim(ClaimTypes.Name, user.View.Email), new Claim(ClaimTypes.Role, user.View.Role),
            new Claim(SplitCcpClaims.RemoteAddress, Address),
        ], "Test"));

    [Fact]
    public async Task CreateAsync_ByAnOperator_RecordsWhoCreatedWhomFromWhereWithRoleAndTenants()
    {
        var zeta = await _host.CreateTenantAsync(_operator.Principal, "zeta", "Zeta Calls");
        var acme = await _host.CreateTenantAsync(_operator.Principal, "acme", "Acme Support");

        var created = (await _host.Users.CreateAsync(Operator, new UserInput
        {
            Email = "lead@acme.example", Password = CoreTestHost.Password, Role = Roles.TenantAdmin, TenantIds = [zeta.Id, acme.Id],
        })).ShouldBeOfType<UserSaveResult.Saved>().User;

        var recorded = (await EventsAsync(IdentityEventKind.UserCreated, created.Id)).ShouldHaveSingleItem();
        recorded.ActorId.ShouldBe(_operator.Id);
        recorded.Actor.ShouldBe(_operator.View.Email);
        recorded.SubjectId.ShouldBe(created.Id);
        recorded.Subject.ShouldBe("lead@acme.example");
        recorded.RemoteAddress.ShouldBe(Address);
        recorded.At.ShouldBe(CoreTestHost.StartTime.UtcDateTime);
        recorded.Summary.ShouldBe("Created as Tenant admin of Acme Support, Zeta Calls.");
    }

    [Fact]
    public async Task UpdateAsync_RoleTenantsAndDisabledFlag_RecordsAnEventForEachChange()
    {
        var acme = await _host.CreateTenantAsync(_operator.Principal, "acme", "Acme Support");
        var zeta = await _host.CreateTenantAsync(_operator.Principal, "zeta", "Zeta Calls");
        var user = await _host.CreateUserAsync(Roles.Viewer, acme.Id);

        (await _host.Users.UpdateAsync(Operator, user.Id, new UserInput
        {
            Email = user.View.Email, Role = Roles.TenantAdmin, TenantIds = [zeta.Id], IsDisabled = true,
        })).ShouldBeOfType<UserSaveResult.Saved>();
        (await _host.Users.UpdateAsync(Operator, user.Id, new UserInput
        {
            Email = user.View.Email, Role = Roles.TenantAdmin, TenantIds = [zeta.Id], IsDisabled = false,
        })).ShouldBeOfType<UserSaveResult.Saved>();

        var events = (await EventsAsync(null, user.Id)).Where(e => e.Kind != IdentityEventKind.UserCreated).Reverse().ToList();
        events.Select(e => (e.Kind, e.Summary)).ShouldBe(
        [
            (IdentityEventKind.RoleChanged, "Role changed from Viewer to Tenant admin."),
            (IdentityEventKind.TenantsChanged, "Tenants changed: added Zeta Calls; removed Acme Support."),
            (IdentityEventKind.UserDisabled, "Disabled: cannot sign in, tokens refused."),
            (IdentityEventKind.UserEnabled, "Enabled again."),
        ]);
        events.ShouldAllBe(e => e.ActorId == _operator.Id && e.SubjectId == user.Id && e.Subject == user.View.Email && e.RemoteAddress == Address);
    }

    [Fact]
    public async Task UpdateAsync_OnlyTheNameChanged_RecordsNothing()
    {
        var user = await _host.CreateUserAsync(Roles.Viewer);
        var before = (await EventsAsync(null, user.Id)).Count;

        (await _host.Users.UpdateAsync(Operator, user.Id, new UserInput { Email = user.View.Email, DisplayName = "Someone else", Role = Roles.Viewer }))
            .ShouldBeOfType<UserSaveResult.Saved>();

        (await EventsAsync(null, user.Id)).Count.ShouldBe(before);
    }

    [Fact]
    public async Task UpdateAsync_RefusedByIdentity_ChangesAndRecordsNothing()
    {
        var taken = await _host.CreateUserAsync(Roles.Viewer);
        var user = await _host.CreateUserAsync(Roles.Viewer);

        (await _host.Users.UpdateAsync(Operator, user.Id, new UserInput { Email = taken.View.Email, Role = Roles.TenantAdmin }))
            .ShouldBeOfType<UserSaveResult.Invalid>().Errors.Keys.ShouldBe(["email"]);

        (await _host.Users.GetAsync(Operator, user.Id))!.Role.ShouldBe(Roles.Viewer);
        (await EventsAsync(IdentityEventKind.RoleChanged, user.Id)).ShouldBeEmpty();
    }

    [Fact]
    public async Task IssueAsync_ByAnOperatorForAnotherUser_NamesBoth_AndRevokingByTheOwnerNamesThem()
    {
        var user = await _host.CreateUserAsync(Roles.TenantAdmin);
        var tokens = _host.ApiTokens;

        var issued = await tokens.IssueAsync(IdentityActor.Of(Operator), user.Id, new ApiTokenRequest("grafana", ReadOnly: true, ExpiresInDays: 30));
        (await tokens.RevokeAsync(IdentityActor.Of(As(user)), user.Id, issued.Details.Id)).ShouldBeTrue();

        var issuance = (await EventsAsync(IdentityEventKind.TokenIssued, user.Id)).ShouldHaveSingleItem();
        issuance.ActorId.ShouldBe(_operator.Id);
        issuance.Actor.ShouldBe(_operator.View.Email);
        issuance.SubjectId.ShouldBe(user.Id);
        issuance.Subject.ShouldBe(user.View.Email);
        issuance.RemoteAddress.ShouldBe(Address);
        issuance.Summary.ShouldBe($"Issued the read-only API token “grafana” ({issued.Details.Prefix}…), expiring 2026-03-31.");
        var revocation = (await EventsAsync(IdentityEventKind.TokenRevoked, user.Id)).ShouldHaveSingleItem();
        revocation.ActorId.ShouldBe(user.Id);
        revocation.SubjectId.ShouldBe(user.Id);
        revocation.Summary.ShouldBe($"Revoked the API token “grafana” ({issued.Details.Prefix}…).");
    }

    [Fact]
    public async Task RevokeAsync_AlreadyRevoked_RecordsOneRevocation()
    {
        var issued = await _host.ApiTokens.IssueAsync(IdentityActor.Of(Operator), _operator.Id, new ApiTokenRequest("ci"));

        (await _host.ApiTokens.RevokeAsync(IdentityActor.Of(Operator), _operator.Id, issued.Details.Id)).ShouldBeTrue();
        (await _host.ApiTokens.RevokeAsync(IdentityActor.Of(Operator), _operator.Id, issued.Details.Id)).ShouldBeFalse();

        (await EventsAsync(IdentityEventKind.TokenRevoked, _operator.Id)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Bootstrap_AdminAndToken_AreRecordedAsTheBootstrapSettings()
    {
        await using var host = await CoreTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["SplitCcp:Bootstrap:AdminEmail"] = "admin@example.com",
            ["SplitCcp:Bootstrap:AdminPassword"] = CoreTestHost.Password,
            ["SplitCcp:Bootstrap:ApiToken"] = "sccp_bootstrap-0123456789abcdefghijklmnop",
        }, provider: Provider);

        var events = (await host.Services.GetRequiredService<IdentityAudit>().ListAsync(await host.ScopeAsync(CoreTestHost.DirectoryOperator), new IdentityEventQuery())).Items;

        events.Select(e => e.Kind).ShouldBe([IdentityEventKind.TokenIssued, IdentityEventKind.UserCreated]);
        events.ShouldAllBe(e => e.Actor == "bootstrap settings" && e.ActorId == null && e.RemoteAddress == null && e.Subject == "admin@example.com");
        events[1].Summary.ShouldBe("Created as MSP operator.");
    }

    [Fact]
    public async Task ListAsync_NewestFirst_PagedAndFilteredByKindAndUser()
    {
        var first = await _host.CreateUserAsync(Roles.Viewer);
        var second = await _host.CreateUserAsync(Roles.Viewer);
        await _host.ApiTokens.IssueAsync(IdentityActor.Of(As(first)), first.Id, new ApiTokenRequest("one"));
        await _host.ApiTokens.IssueAsync(IdentityActor.Of(Operator), second.Id, new ApiTokenRequest("two"));
        var scope = await _host.ScopeAsync(Operator);

        var all = await Audit.ListAsync(scope, new IdentityEventQuery(PageSize: 2));
        var secondPage = await Audit.ListAsync(scope, new IdentityEventQuery(Page: 2, PageSize: 2));
        var byOperator = await Audit.ListAsync(scope, new IdentityEventQuery(UserId: _operator.Id));

        all.Total.ShouldBe(5, "three users created and two tokens issued");
        all.Items.Select(e => e.Summary[..10]).ShouldBe(["Issued the", "Issued the"]);
        all.Items[0].Id.ShouldBeGreaterThan(all.Items[1].Id);
        secondPage.Items.Select(e => e.Kind).ShouldBe([IdentityEventKind.UserCreated, IdentityEventKind.UserCreated]);
        (await Audit.ListAsync(scope, new IdentityEventQuery(Kind: IdentityEventKind.TokenIssued))).Items.Select(e => e.Subject)
            .ShouldBe([second.View.Email, first.View.Email]);
        byOperator.Items.Select(e => (e.Kind, e.SubjectId)).ShouldBe([(IdentityEventKind.TokenIssued, second.Id), (IdentityEventKind.UserCreated, _operator.Id)],
            "what the operator did, and what was done to their account");
    }

    [Theory]
    [InlineData(Roles.TenantAdmin)]
    [InlineData(Roles.Viewer)]
    public async Task ListAndExport_NotAnOperator_ReadNothing(string role)
    {
        var user = await _host.CreateUserAsync(role);
        var scope = await _host.ScopeAsync(user.Principal);

        IdentityAudit.CanRead(scope).ShouldBeFalse();
        (await Audit.ListAsync(scope, new IdentityEventQuery())).Items.ShouldBeEmpty();
        (await Audit.ExportAsync(scope, new IdentityEventQuery()).ToListAsync()).ShouldBeEmpty();
        (await Audit.ListAsync(await _host.ScopeAsync(_operator.Principal), new IdentityEventQuery())).Total.ShouldBe(2);
    }

    [Fact]
    public async Task ExportAsync_MoreThanOneBatch_ReadsEveryEventOnceNewestFirst()
    {
        var actor = IdentityActor.Of(Operator);
        await Audit.RecordAsync(Enumerable.Range(1, IdentityEventQuery.MaxPageSize * 2 + 10)
            .Select(i => Audit.Entry(IdentityEventKind.SignInFailed, actor, null, $"nobody{i}@example.com", "Refused: no account has this e-mail.")));

        var exported = await Audit.ExportAsync(await _host.ScopeAsync(Operator), new IdentityEventQuery(Kind: IdentityEventKind.SignInFailed, Page: 3, PageSize: 1)).ToListAsync();

        exported.Count.ShouldBe(IdentityEventQuery.MaxPageSize * 2 + 10);
        exported.Select(e => e.Id).ShouldBe(exported.Select(e => e.Id).OrderDescending());
        exported[0].Subject.ShouldBe($"nobody{IdentityEventQuery.MaxPageSize * 2 + 10}@example.com");
    }

    [Fact]
    public async Task ExportAsync_EventsRecordedWhileItIsWrittenOut_AreNeitherReadNorRepeated()
    {
        var count = IdentityEventQuery.MaxPageSize * 2 + 10;
        await Audit.RecordAsync(Enumerable.Range(1, count).Select(i => FailedSignIn($"nobody{i}@example.com")));
        var exported = new List<IdentityEventRecord>();

        await foreach (var record in Audit.ExportAsync(await _host.ScopeAsync(Operator), new IdentityEventQuery(Kind: IdentityEventKind.SignInFailed)))
        {
            exported.Add(record);
            if (exported.Count % IdentityEventQuery.MaxPageSize == 1)
            {
                // Newer events arrive while each batch is being written out, as sign-ins go on during a download.
                await Audit.RecordAsync(Enumerable.Range(1, 7).Select(i => FailedSignIn($"later{exported.Count}-{i}@example.com")));
            }
        }

        exported.Select(e => e.Id).ShouldBeUnique();
        exported.Select(e => e.Subject).ShouldBe(Enumerable.Range(1, count).Reverse().Select(i => $"nobody{i}@example.com"),
            "what was there when the export began, each once, newest first");
    }

    private IdentityEvent FailedSignIn(string email) =>
        Audit.Entry(IdentityEventKind.SignInFailed, IdentityActor.Of(Operator), null, email, "Refused: no account has this e-mail.");

    private async Task<IReadOnlyList<IdentityEventRecord>> EventsAsync(IdentityEventKind? kind, string userId) =>
        (await Audit.ListAsync(await _host.ScopeAsync(_operator.Principal), new IdentityEventQuery(kind, userId, PageSize: IdentityEventQuery.MaxPageSize))).Items;
}

public sealed class PostgreSqlIdentityAuditTests() : IdentityAuditTests(StorageProvider.PostgreSql);
