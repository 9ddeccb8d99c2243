using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Tests.Infrastructure;
using SplitCcp.Web.Security;

namespace SplitCcp.Tests.Web.Account;

/// <summary>The page a refused company sign-in lands on shows only the portal's own, recent words.</summary>
public sealed class CompanySignInRefusedPageTests : IDisposable
{
    private const string Generic = "The sign-in with your company account did not give you access to SplitCcp.";

    private readonly SplitCcpWebFactory _app = new();

    [Fact]
    public async Task Refused_WordsThePortalSealed_AreShownWith403()
    {
        var (status, page) = await OpenAsync(Seal("Your Contoso account has no access to SplitCcp.", DateTimeOffset.UtcNow.AddMinutes(10)));

        status.ShouldBe(HttpStatusCode.Forbidden);
        page.ShouldContain("Your Contoso account has no access to SplitCcp.");
    }

    [Fact]
    public async Task Refused_WordsInTheLinkItself_AreNotShown()
    {
        var (_, page) = await OpenAsync("Your account is suspended. Call 0800 000 000 to restore it.");

        page.ShouldNotContain("0800 000 000");
        page.ShouldContain(Generic);
    }

    [Fact]
    public async Task Refused_SealedWordsPastTheirExpiry_AreNotShown()
    {
        var (_, page) = await OpenAsync(Seal("Your Contoso account has no access to SplitCcp.", DateTimeOffset.UtcNow.AddMinutes(-1)));

        page.ShouldNotContain("Your Contoso account");
        page.ShouldContain(Generic);
    }

    private string Seal(string reason, DateTimeOffset expiration) =>
        CompanySignInWeb.Seal(_app.Services.GetRequiredService<IDataProtectionProvider>(), reason, expiration);

    private async Task<(HttpStatusCode Status, string Page)> OpenAsync(string reason)
    {
        var response = await _app.CreateApiClient(null).GetAsync($"{CompanySignInWeb.RefusedPath}?reason={Uri.EscapeDataString(reason)}");
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    public void Dispose() => _app.Dispose();
}
