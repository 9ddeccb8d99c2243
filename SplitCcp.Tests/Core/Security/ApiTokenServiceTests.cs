using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Security;

public sealed class ApiTokenServiceTests : IAsyncLifetime
{
    private CoreTestHost _host = null!;
    private TestUser _operator = null!;

    private ApiTokenService Tokens => _host.ApiTokens;

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync();
        _operator = await _host.CreateOperatorAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task IssueAsync_NewToken_ReturnsPrefixedRandomTokenAndDetails()
    {
        var first = await Tokens.IssueAsync(_operator.Id, "  grafana  ", readOnly: false);
        var second = await Tokens.IssueAsync(_operator.Id, "ci", readOnly: true);

        first.Token.ShouldStartWith(ApiTokenService.TokenPrefix);
        first.Token.Length.ShouldBe(ApiTokenService.TokenPrefix.Length + 43);
        first.Token.ShouldMatch("^sccp_[A-Za-z0-9_-]{43}$");
        first.Token.ShouldNotBe(second.Token);
        first.Details.Name.ShouldBe("grafana");
        first.Details.Prefix.ShouldBe(first.Token[..(ApiTokenService.TokenPrefix.Length + 4)], "only four random characters are kept for recognition");
        first.Details.ReadOnly.ShouldBeFalse();
        first.Details.CreatedAt.ShouldBe(CoreTestHost.StartTime.UtcDateTime);
        first.Details.LastUsedAt.ShouldBeNull();
        first.Details.RevokedAt.ShouldBeNull();
        second.Details.ReadOnly.ShouldBeTrue();
    }

    [Fact]
    public async Task IssueAsync_Stored_OnlyTheSha256HashIsKept()
    {
        var issued = await Tokens.IssueAsync(_operator.Id, "grafana", readOnly: false);

        var hash = (string?)await _host.QueryScalarAsync("SELECT Hash FROM ApiTokens WHERE Name = 'grafana'");
        hash.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(issued.Token))));
        _host.DatabaseFilesContain(hash!).ShouldBeTrue("the scan must see what was just stored");
        _host.DatabaseFilesContain(issued.Token).ShouldBeFalse();
        _host.DatabaseFilesContain(issued.Token[ApiTokenService.TokenPrefix.Length..]).ShouldBeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task IssueAsync_BlankName_ThrowsArgumentException(string name)
    {
        var thrown = await Should.ThrowAsync<ArgumentException>(() => Tokens.IssueAsync(_operator.Id, name, readOnly: false));

        thrown.ParamName.ShouldBe("name");
        (await _host.QueryScalarAsync("SELECT COUNT(*) FROM ApiTokens")).ShouldBe(0L);
    }

    [Theory]
    [InlineData("ci\u202Egnp.exe")]
    [InlineData("ci\tnightly")]
    [InlineData("ci\u2028nightly")]
    public void ValidateName_HiddenCharacters_RefusedAsTenantNamesAre(string name)
    {
        TenantRules.HiddenCharacters(name).ShouldNotBeNull();
        ApiTokenService.ValidateName(name).ShouldBe(TenantRules.HiddenCharacters(name));
    }

    [Fact]
    public async Task ValidateName_LengthBoundary_AcceptsUpTo100Characters()
    {
        ApiTokenService.ValidateName(new string('n', ApiTokenService.NameMaxLength)).ShouldBeNull();
        ApiTokenService.ValidateName(new string('n', ApiTokenService.NameMaxLength + 1)).ShouldBe("Use at most 100 characters.");
        await Should.ThrowAsync<ArgumentException>(() => Tokens.IssueAsync(_operator.Id, new string('n', 101), readOnly: false));
    }

    [Fact]
    public async Task AuthenticateAsync_IssuedToken_ReturnsPrincipalOfTheOwner()
    {
        var issued = await Tokens.IssueAsync(_operator.Id, "grafana", readOnly: false);

        var principal = (await Tokens.AuthenticateAsync(issued.Token, "ApiToken")).Principal;

        principal.ShouldNotBeNull();
        principal.Identity!.IsAuthenticated.ShouldBeTrue();
        principal.Identity.AuthenticationType.ShouldBe("ApiToken");
        principal.FindFirstValue(ClaimTypes.NameIdentifier).ShouldBe(_operator.Id);
        principal.Identity.Name.ShouldBe(_operator.View.Email);
        principal.FindFirstValue(SplitCcpClaims.TokenId).ShouldBe(issued.Details.Id.ToString());
        principal.FindAll(ClaimTypes.Role).Select(c => c.Value).ShouldBe([Roles.MspOperator]);
        principal.HasClaim(c => c.Type == SplitCcpClaims.ReadOnly).ShouldBeFalse();
        (await _host.Access.GetScopeAsync(principal)).CanManage.ShouldBeTrue();
    }

    [Fact]
    public async Task AuthenticateAsync_ReadOnlyToken_AddsReadOnlyClaimThatBlocksWrites()
    {
        var issued = await Tokens.IssueAsync(_operator.Id, "dashboards", readOnly: true);

        var principal = (await Tokens.AuthenticateAsync(issued.Token, "ApiToken")).Principal;

        principal.ShouldNotBeNull();
        principal.FindFirstValue(SplitCcpClaims.ReadOnly).ShouldBe("true");
        var scope = await _host.Access.GetScopeAsync(principal);
        scope.AllTenants.ShouldBeTrue();
        scope.CanWrite.ShouldBeFalse();
        scope.CanManage.ShouldBeFalse();
    }

    [Fact]
    public async Task AuthenticateAsync_TenantAdminToken_CarriesTheStoredRole()
    {
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin);
        var issued = await Tokens.IssueAsync(admin.Id, "script", readOnly: false);

        var principal = (await Tokens.AuthenticateAsync(issued.Token, "ApiToken")).Principal;

        principal!.FindAll(ClaimTypes.Role).Select(c => c.Value).ShouldBe([Roles.TenantAdmin]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sccp_")]
    [InlineData("sccp_not-a-real-token-at-all-0000000000000000000")]
    [InlineData("Bearer sccp_x")]
    [InlineData("SCCP_abc")]
    public async Task AuthenticateAsync_UnknownToken_ReturnsNull(string presented) =>
        (await Tokens.AuthenticateAsync(presented, "ApiToken")).Principal.ShouldBeNull();

    [Fact]
    public async Task AuthenticateAsync_TokenWithoutPrefixOrTooLong_ReturnsNull()
    {
        var issued = await Tokens.IssueAsync(_operator.Id, "grafana", readOnly: false);

        (await Tokens.AuthenticateAsync(issued.Token[ApiTokenService.TokenPrefix.Length..], "ApiToken")).Principal.ShouldBeNull();
        (await Tokens.AuthenticateAsync(issued.Token + new string('x', 200), "ApiToken")).Principal.ShouldBeNull();
        (await Tokens.AuthenticateAsync(issued.Token + " ", "ApiToken")).Principal.ShouldBeNull();
        (await Tokens.AuthenticateAsync(issued.Token.ToUpperInvariant(), "ApiToken")).Principal.ShouldBeNull();
    }

    [Fact]
    public async Task AuthenticateAsync_RevokedToken_ReturnsNull()
    {
        var issued = await Tokens.IssueAsync(_operator.Id, "grafana", readOnly: false);
        _host.Time.Advance(TimeSpan.FromHours(1));

        (await Tokens.RevokeAsync(_operator.Id, issued.Details.Id)).ShouldBeTrue();

        (await Tokens.AuthenticateAsync(issued.Token, "ApiToken")).Principal.ShouldBeNull();
        var listed = (await Tokens.ListAsync(_operator.Id)).ShouldHaveSingleItem();
        listed.RevokedAt.ShouldBe(CoreTestHost.StartTime.UtcDateTime.AddHours(1));
        listed.RevokedAt!.Value.Kind.ShouldBe(DateTimeKind.Utc);
    }

    [Fact]
    public async Task RevokeAsync_AlreadyRevoked_ReturnsFalseAndKeepsFirstRevocationTime()
    {
        var issued = await Tokens.IssueAsync(_operator.Id, "grafana", readOnly: false);
        (await Tokens.RevokeAsync(_operator.Id, issued.Details.Id)).ShouldBeTrue();
        _host.Time.Advance(TimeSpan.FromDays(1));

        (await Tokens.RevokeAsync(_operator.Id, issued.Details.Id)).ShouldBeFalse();

        (await Tokens.ListAsync(_operator.Id)).ShouldHaveSingleItem().RevokedAt.ShouldBe(CoreTestHost.StartTime.UtcDateTime);
    }

    [Fact]
    public async Task RevokeAsync_AnotherUsersToken_ReturnsFalseAndTokenStillWorks()
    {
        var other = await _host.CreateOperatorAsync();
        var mine = await Tokens.IssueAsync(_operator.Id, "grafana", readOnly: false);

        (await Tokens.RevokeAsync(other.Id, mine.Details.Id)).ShouldBeFalse();

        (await Tokens.AuthenticateAsync(mine.Token, "ApiToken")).Principal.ShouldNotBeNull();
        (await Tokens.ListAsync(_operator.Id)).ShouldHaveSingleItem().RevokedAt.ShouldBeNull();
    }

    [Fact]
    public async Task RevokeAsync_UnknownTokenId_ReturnsFalse() =>
        (await Tokens.RevokeAsync(_operator.Id, Guid.NewGuid())).ShouldBeFalse();

    [Fact]
    public async Task AuthenticateAsync_DisabledUser_ReturnsNullUntilReenabled()
    {
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin);
        var issued = await Tokens.IssueAsync(admin.Id, "script", readOnly: false);
        await _host.DisableAsync(admin);

        (await Tokens.AuthenticateAsync(issued.Token, "ApiToken")).Principal.ShouldBeNull();

        (await _host.Users.UpdateAsync(CoreTestHost.DirectoryOperator, admin.Id,
            new UserInput { Email = admin.View.Email, Role = Roles.TenantAdmin, IsDisabled = false })).ShouldBeOfType<UserSaveResult.Saved>();
        (await Tokens.AuthenticateAsync(issued.Token, "ApiToken")).Principal.ShouldNotBeNull();
    }

    [Fact]
    public async Task AuthenticateAsync_RepeatedUse_RecordsLastUseAtMostEveryFiveMinutes()
    {
        var issued = await Tokens.IssueAsync(_operator.Id, "grafana", readOnly: false);
        var start = CoreTestHost.StartTime.UtcDateTime;

        var stamps = _host.Services.GetRequiredService<ApiTokenUseStamps>();

        _host.Time.Advance(TimeSpan.FromMinutes(1));
        await Tokens.AuthenticateAsync(issued.Token, "ApiToken");
        (await stamps.SaveAsync()).ShouldBeTrue();
        (await Tokens.ListAsync(_operator.Id)).Single().LastUsedAt.ShouldBe(start.AddMinutes(1));

        _host.Time.Advance(TimeSpan.FromMinutes(4));
        await Tokens.AuthenticateAsync(issued.Token, "ApiToken");
        (await stamps.SaveAsync()).ShouldBeTrue();
        (await Tokens.ListAsync(_operator.Id)).Single().LastUsedAt.ShouldBe(start.AddMinutes(1));

        _host.Time.Advance(TimeSpan.FromMinutes(2));
        await Tokens.AuthenticateAsync(issued.Token, "ApiToken");
        (await stamps.SaveAsync()).ShouldBeTrue();
        (await Tokens.ListAsync(_operator.Id)).Single().LastUsedAt.ShouldBe(start.AddMinutes(7));
    }

    [Fact]
    public async Task ListAsync_OwnTokensOnly_NewestFirst()
    {
        var other = await _host.CreateOperatorAsync();
        await Tokens.IssueAsync(_operator.Id, "first", readOnly: false);
        _host.Time.Advance(TimeSpan.FromMinutes(1));
        await Tokens.IssueAsync(other.Id, "not mine", readOnly: false);
        _host.Time.Advance(TimeSpan.FromMinutes(1));
        await Tokens.IssueAsync(_operator.Id, "second", readOnly: true);

        var listed = await Tokens.ListAsync(_operator.Id);

        listed.Select(t => t.Name).ShouldBe(["second", "first"]);
        listed[0].CreatedAt.ShouldBe(CoreTestHost.StartTime.UtcDateTime.AddMinutes(2));
        listed[0].CreatedAt.Kind.ShouldBe(DateTimeKind.Utc);
    }

    [Fact]
    public async Task RegisterExactAsync_SameTokenTwice_StoresItOnce()
    {
        const string token = "sccp_bootstrap-token-0123456789abcdefghij";

        await Tokens.RegisterExactAsync(_operator.Id, "bootstrap", token, CancellationToken.None);
        await Tokens.RegisterExactAsync(_operator.Id, "bootstrap", token, CancellationToken.None);

        (await Tokens.ListAsync(_operator.Id)).ShouldHaveSingleItem().Name.ShouldBe("bootstrap");
        (await Tokens.AuthenticateAsync(token, "ApiToken")).Principal!.FindFirstValue(ClaimTypes.NameIdentifier).ShouldBe(_operator.Id);
        _host.DatabaseFilesContain(token).ShouldBeFalse();
    }
}
