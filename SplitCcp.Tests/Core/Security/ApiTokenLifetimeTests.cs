using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;

namespace SplitCcp.Tests.Core.Security;

/// <summary>API tokens expire: the default or a chosen lifetime, never beyond the maximum, refused as expired after it.</summary>
public class ApiTokenLifetimeTests : IAsyncLifetime
{
    public ApiTokenLifetimeTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the facts run on.</param>
    protected ApiTokenLifetimeTests(StorageProvider provider)
    {
        Provider = provider;
    }

    /// <summary>The database engine the facts run on.</summary>
    protected StorageProvider Provider { get; }

    private static readonly DateTime s_start = CoreTestHost.StartTime.UtcDateTime;

    private CoreTestHost _host = null!;
    private TestUser _user = null!;

    private ApiTokenService Tokens => _host.ApiTokens;

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync(new Dictionary<string, string?> { ["SplitCcp:Security:MaxTokenLifetime"] = "180.00:00:00" }, provider: Provider);
        _user = await _host.CreateUserAsync(Roles.TenantAdmin);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private IdentityActor Self => new(_user.Id, _user.View.Email, null);

    [Fact]
    public async Task IssueAsync_NoLifetimeChosen_ExpiresAfterTheDefault90Days()
    {
        var issued = await Tokens.IssueAsync(Self, _user.Id, new ApiTokenRequest("grafana"));

        issued.Details.ExpiresAt.ShouldBe(s_start.AddDays(ApiTokenService.DefaultLifetimeDays));
        ApiTokenService.DefaultLifetimeDays.ShouldBe(90);
        (await Tokens.ListAsync(_user.Id)).ShouldHaveSingleItem().ExpiresAt.ShouldBe(s_start.AddDays(90));
    }

    [Fact]
    public async Task IssueAsync_LifetimeChosen_ExpiresThatManyDaysLater()
    {
        var week = await Tokens.IssueAsync(Self, _user.Id, new ApiTokenRequest("ci", ExpiresInDays: 7));
        var longest = await Tokens.IssueAsync(Self, _user.Id, new ApiTokenRequest("backup", ExpiresInDays: 180));

        week.Details.ExpiresAt.ShouldBe(s_start.AddDays(7));
        longest.Details.ExpiresAt.ShouldBe(s_start.AddDays(180));
        (await Tokens.ListAsync(_user.Id)).Select(t => t.ExpiresAt).ShouldBe([s_start.AddDays(7), s_start.AddDays(180)], ignoreOrder: true);
    }

    [Theory]
    [InlineData(181, "A token lives at most 180 days here: that is the longest this portal allows (SplitCcp:Security:MaxTokenLifetime).")]
    [InlineData(0, "A token lives at least 1 day.")]
    [InlineData(-5, "A token lives at least 1 day.")]
    public async Task IssueAsync_LifetimeOutsideTheLimits_IsRefusedAndStoresNothing(int days, string message)
    {
        var errors = Tokens.Validate(new ApiTokenRequest("ci", ExpiresInDays: days));
        errors.Keys.ShouldBe(["expiresInDays"]);
        errors["expiresInDays"].ShouldBe([message]);

        var thrown = await Should.ThrowAsync<ArgumentException>(() => Tokens.IssueAsync(Self, _user.Id, new ApiTokenRequest("ci", ExpiresInDays: days)));

        thrown.ParamName.ShouldBe("expiresInDays");
        (await Tokens.ListAsync(_user.Id)).ShouldBeEmpty();
    }

    [Fact]
    public async Task DefaultDays_MaximumShorterThanTheDefault_IsTheMaximum()
    {
        await using var host = await CoreTestHost.StartAsync(new Dictionary<string, string?> { ["SplitCcp:Security:MaxTokenLifetime"] = "30.00:00:00" }, provider: Provider);
        var user = await host.CreateUserAsync(Roles.Viewer);

        var issued = await host.ApiTokens.IssueAsync(new IdentityActor(user.Id, "viewer", null), user.Id, new ApiTokenRequest("dashboards"));

        host.ApiTokens.DefaultDays.ShouldBe(30);
        issued.Details.ExpiresAt.ShouldBe(s_start.AddDays(30));
    }

    [Fact]
    public async Task AuthenticateAsync_FromItsExpiry_RefusesSayingWhenItExpired()
    {
        var issued = await Tokens.IssueAsync(Self, _user.Id, new ApiTokenRequest("ci", ExpiresInDays: 7));
        _host.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        (await Tokens.AuthenticateAsync(issued.Token, "ApiToken")).Principal.ShouldNotBeNull("a second before its expiry it still works");

        _host.Time.Advance(TimeSpan.FromSeconds(1));
        var check = await Tokens.AuthenticateAsync(issued.Token, "ApiToken");

        check.Principal.ShouldBeNull();
        check.ExpiredAt.ShouldBe(s_start.AddDays(7));
        (await Tokens.AuthenticateAsync("sccp_" + new string('x', 43), "ApiToken")).ShouldBe(ApiTokenCheck.Refused, "an unknown token is not said to have expired");
    }

    [Fact]
    public async Task AuthenticateAsync_ExpiredAndRevoked_IsRefusedAsRevoked()
    {
        var issued = await Tokens.IssueAsync(Self, _user.Id, new ApiTokenRequest("ci", ExpiresInDays: 1));
        (await Tokens.RevokeAsync(Self, _user.Id, issued.Details.Id)).ShouldBeTrue();
        _host.Time.Advance(TimeSpan.FromDays(2));

        (await Tokens.AuthenticateAsync(issued.Token, "ApiToken")).ShouldBe(ApiTokenCheck.Refused);
    }

    [Fact]
    public async Task ExpiresSoonAt_TheLast14Days_WarnsUntilItExpires()
    {
        var issued = await Tokens.IssueAsync(Self, _user.Id, new ApiTokenRequest("ci", ExpiresInDays: 30));
        var token = issued.Details;
        ApiTokenService.ExpiryWarning.ShouldBe(TimeSpan.FromDays(14));

        token.ExpiresSoonAt(s_start.AddDays(16) - TimeSpan.FromSeconds(1)).ShouldBeFalse();
        token.ExpiresSoonAt(s_start.AddDays(16)).ShouldBeTrue();
        token.ExpiresSoonAt(s_start.AddDays(30) - TimeSpan.FromSeconds(1)).ShouldBeTrue();
        token.ExpiresSoonAt(s_start.AddDays(30)).ShouldBeFalse("it has expired: a list says so instead");
        token.IsExpiredAt(s_start.AddDays(30)).ShouldBeTrue();
        (token with { RevokedAt = s_start }).ExpiresSoonAt(s_start.AddDays(20)).ShouldBeFalse("a revoked token needs no warning");
    }

    [Theory]
    [InlineData("12:00:00")]
    [InlineData("3651.00:00:00")]
    public async Task Start_MaxTokenLifetimeOutOfRange_FailsNamingTheSetting(string maximum)
    {
        var thrown = await Should.ThrowAsync<OptionsValidationException>(() =>
            CoreTestHost.StartAsync(new Dictionary<string, string?> { ["SplitCcp:Security:MaxTokenLifetime"] = maximum }, provider: Provider));

        thrown.Failures.ShouldHaveSingleItem().ShouldContain($"SplitCcp:Security:MaxTokenLifetime must be between 1 and 3650 days, such as 365.00:00:00 (365 days), not {maximum}.");
    }

    [Fact]
    public async Task Upgrade_TokensIssuedBefore_ExpireNinetyDaysAfterIt()
    {
        var issued = await Tokens.IssueAsync(Self, _user.Id, new ApiTokenRequest("from before"));
        var factory = _host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            var migrations = db.Database.GetMigrations().ToList();
            var before = migrations[migrations.FindIndex(m => m.EndsWith("_TokenExpiryAndIdentityAudit", StringComparison.Ordinal)) - 1];
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync(before);
            await migrator.MigrateAsync();
        }

        var upgraded = (await Tokens.ListAsync(_user.Id)).ShouldHaveSingleItem();
        upgraded.Id.ShouldBe(issued.Details.Id);
        upgraded.ExpiresAt.ShouldBe(DateTime.UtcNow.AddDays(90), TimeSpan.FromMinutes(5), "the upgrade's own clock: the database's");
        upgraded.ExpiresAt.Kind.ShouldBe(DateTimeKind.Utc);
    }
}

public sealed class PostgreSqlApiTokenLifetimeTests() : ApiTokenLifetimeTests(StorageProvider.PostgreSql);
