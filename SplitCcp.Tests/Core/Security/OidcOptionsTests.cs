using System.ComponentModel.DataAnnotations;
using SplitCcp.Core.Security;

namespace SplitCcp.Tests.Core.Security;

public sealed class OidcOptionsTests
{
    [Fact]
    public void Validate_NoAuthority_IsOffAndValid()
    {
        var options = new OidcOptions { ClientId = "" };

        options.IsConfigured.ShouldBeFalse();
        Validate(options).ShouldBeEmpty();
    }

    [Fact]
    public void Validate_CompleteSettings_AreValid() => Validate(Complete()).ShouldBeEmpty();

    [Theory]
    [InlineData("http://login.contoso.example")]
    [InlineData("http://10.0.0.5:8080")]
    [InlineData("ftp://login.contoso.example")]
    [InlineData("login.contoso.example")]
    public void Validate_AuthorityNotHttps_NamesTheSetting(string authority)
    {
        var options = Complete();
        options.Authority = authority;

        Validate(options).ShouldHaveSingleItem().ShouldStartWith("SplitCcp:Oidc:Authority must be the provider's https:// address");
    }

    [Theory]
    [InlineData("http://127.0.0.1:5999")]
    [InlineData("http://localhost:5999")]
    [InlineData("http://[::1]:5999")]
    public void Validate_PlainHttpToThisMachine_IsValid(string authority)
    {
        var options = Complete();
        options.Authority = authority;

        Validate(options).ShouldBeEmpty();
    }

    [Fact]
    public void Validate_NoClientOrSecret_NamesBoth()
    {
        var options = Complete();
        options.ClientId = " ";
        options.ClientSecret = null;

        var errors = Validate(options);

        errors.Count.ShouldBe(2);
        errors.ShouldContain(e => e.StartsWith("SplitCcp:Oidc:ClientId must be", StringComparison.Ordinal));
        errors.ShouldContain(e => e.StartsWith("SplitCcp:Oidc:ClientSecret must be", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("splitccp-admin")]
    [InlineData("{tenant}-{tenant}")]
    public void Validate_TenantAdminPatternWithoutOnePlaceholder_NamesTheSetting(string pattern)
    {
        var options = Complete();
        options.TenantAdminPattern = pattern;

        Validate(options).ShouldHaveSingleItem().ShouldStartWith("SplitCcp:Oidc:TenantAdminPattern must hold {tenant} once");
    }

    [Fact]
    public void Validate_NothingMapsToARole_SaysNobodyCouldSignIn()
    {
        var options = Complete();
        options.OperatorValues = [];

        Validate(options).ShouldHaveSingleItem().ShouldContain("nobody can sign in with the provider");
    }

    [Fact]
    public void Validate_ClientSecret_IsNeverInAMessage()
    {
        var options = Complete();
        options.Authority = "http://login.contoso.example";
        options.RoleClaim = "";

        Validate(options).ShouldAllBe(e => !e.Contains(options.ClientSecret!, StringComparison.Ordinal));
    }

    private static OidcOptions Complete() => new()
    {
        Authority = "https://login.contoso.example",
        ClientId = "splitccp",
        ClientSecret = "client-secret-value",
        OperatorValues = ["splitccp-operators"],
    };

    private static List<string> Validate(OidcOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage ?? "").ToList();
    }
}
