using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Account;

/// <summary><c>SplitCcp:Accounts:LocalSignIn=false</c>: only the company provider signs people in.</summary>
public sealed class LocalSignInOffTests : IDisposable
{
    private readonly SplitCcpWebFactory _app = new();
    private readonly int _providerPort = OidcProvider.ReservePort();

    public LocalSignInOffTests()
    {
        foreach (var (key, value) in OidcProvider.Settings(_providerPort))
        {
            _app.WithSetting(key, value);
        }

        _app.WithSetting("SplitCcp:Accounts:LocalSignIn", "false");
    }

    [Fact]
    public async Task LoginPage_ShowsOnlyTheCompanyButton()
    {
        var page = await _app.CreateApiClient(null).GetStringAsync("/account/login");

        page.ShouldContain("Sign in with Contoso");
        page.ShouldNotContain("id=\"password\"");
        page.ShouldNotContain("forgot-password");
    }

    [Fact]
    public async Task PasswordPost_RightPassword_IsRefusedAndSignsNobodyIn()
    {
        var client = _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        var fields = SplitCcpWebFactory.HiddenInputs(await client.GetStringAsync("/account/login"));
        fields["_handler"] = "login";
        fields["Input.Email"] = SplitCcpWebFactory.AdminEmail;
        fields["Input.Password"] = SplitCcpWebFactory.AdminPassword;

        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(fields));

        response.StatusCode.ShouldNotBe(HttpStatusCode.Redirect);
        (response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : []).ShouldNotContain(c => c.StartsWith("SplitCcp.Auth=", StringComparison.Ordinal));
        (await client.GetAsync("/tenants")).Headers.Location!.ToString().ShouldContain("/account/login");
    }

    [Fact]
    public async Task PasswordSignIn_RightPassword_IsNotAllowedAndRecorded()
    {
        using var scope = _app.Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<IHttpContextAccessor>().HttpContext = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<AppUser>>();

        var result = await signIn.PasswordSignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword, isPersistent: false, lockoutOnFailure: true);

        result.IsNotAllowed.ShouldBeTrue();
        var events = await _app.Services.GetRequiredService<IdentityAudit>().ListAsync(
            await _app.Services.GetRequiredService<ITenantAccess>().GetScopeAsync(_app.Operator()), new IdentityEventQuery(IdentityEventKind.SignInFailed));
        events.Items.ShouldHaveSingleItem().Summary.ShouldBe("Refused: password sign-in is off; only the company provider signs in.");
    }

    [Fact]
    public async Task Pages_AllowFormsToPostToTheProvider()
    {
        var response = await _app.CreateApiClient(null).GetAsync("/account/login");

        response.Headers.GetValues("Content-Security-Policy").Single().ShouldContain($"form-action 'self' {PortalProcess.Url(_providerPort)};");
    }

    [Fact]
    public async Task FreshInstallation_HasNoPasswordSetupPage()
    {
        using var fresh = new SplitCcpWebFactory(bootstrap: false);
        foreach (var (key, value) in OidcProvider.Settings(_providerPort))
        {
            fresh.WithSetting(key, value);
        }

        fresh.WithSetting("SplitCcp:Accounts:LocalSignIn", "false");
        var client = fresh.CreateApiClient(null);

        (await client.GetAsync("/account/login")).StatusCode.ShouldBe(HttpStatusCode.OK, "the first operator signs in with the provider");
        var setup = await client.GetAsync("/setup");
        setup.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        setup.Headers.Location!.ToString().ShouldEndWith("/account/login");
    }

    public void Dispose() => _app.Dispose();
}
