using System.Net;
using System.Text.RegularExpressions;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Api;

/// <summary>The API reference: a portal page that renders the OpenAPI document, for signed-in users, with nothing from elsewhere.</summary>
public sealed partial class ApiReferencePageTests : IDisposable
{
    private readonly SplitCcpWebFactory _app = new();

    [Fact]
    public async Task Get_SignedIn_RendersEachOperationWithItsSummaryAndTheSchemasItUses()
    {
        var user = await _app.CreateUserAsync("viewer@example.com", SplitCcp.Core.Security.Roles.Viewer);
        var browser = await _app.CreateSignedInClientAsync(user.Email, user.Password);

        var response = await browser.GetAsync("/api-reference");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync();
        var text = WebUtility.HtmlDecode(Tags().Replace(html, " "));
        var words = Spaces().Replace(text, " ");
        words.ShouldContain("API reference");
        words.ShouldContain("GET /api/tenants Lists the tenants in the caller's scope, 50 a page by default (at most 200).");
        words.ShouldContain("DELETE /api/tenants/{tenantId} Deletes a tenant and everything kept for it (MSP operators).");
        words.ShouldContain("POST /api/tenants/{tenantId}/apply Applies the plan you confirmed, named by its fingerprint");
        words.ShouldContain("409 \"The plan changed\" with 'changes'");
        html.ShouldContain("id=\"schema-ApplyRequest\"");
        html.ShouldContain("id=\"schema-TenantInput\"");
        html.ShouldContain("href=\"api-reference#schema-TenantInput\"");
        html.ShouldContain("href=\"/openapi/v1.json\"");
        ExternalReferences().Matches(html).Select(m => m.Value).ShouldBeEmpty("the page works offline: no script, style or font from another host");
    }

    [Fact]
    public async Task Get_Anonymous_SendsToSignIn()
    {
        var client = _app.CreateClient(new() { AllowAutoRedirect = false });

        var response = await client.GetAsync("/api-reference");

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldContain("/account/login");
    }

    public void Dispose() => _app.Dispose();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"(src|href)=""(https?:)?//[^""]*""")]
    private static partial Regex ExternalReferences();
}
