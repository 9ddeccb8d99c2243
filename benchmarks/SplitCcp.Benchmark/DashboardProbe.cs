using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Security;

namespace SplitCcp.Benchmark;

/// <summary>
/// Times the dashboard's first page as operators get it from the running portal: the health API with an API token, the
/// home page prerendered for a signed-in operator, and the query behind both.
/// </summary>
internal sealed partial class DashboardProbe(Uri server, string email, string password, string token)
{
    public const string ApiPath = "/api/health/tenants?pageSize=25";

    public async Task<Timings> ApiAsync(int requests)
    {
        using var client = new HttpClient { BaseAddress = server };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Timings.MeasureAsync($"GET {ApiPath} (API token)", requests, async () =>
        {
            using var response = await client.GetAsync(ApiPath);
            await EnsureOkAsync(response);
        });
    }

    public async Task<Timings> HomePageAsync(int requests)
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = server };
        await SignInAsync(client);
        return await Timings.MeasureAsync("GET / (prerendered, signed in)", requests, async () =>
        {
            using var response = await client.GetAsync("/");
            await EnsureOkAsync(response);
        });
    }

    public static Task<Timings> QueryAsync(DriftService drift, TenantScope scope, int requests) =>
        Timings.MeasureAsync("DriftService.ListAsync, first page of 25", requests, async () =>
        {
            var page = await drift.ListAsync(scope, new TenantHealthQuery(PageSize: 25));
            if (page.Items.Count == 0)
            {
                throw new InvalidOperationException("The dashboard's first page is empty.");
            }
        });

    /// <summary>Signs in through the real form, antiforgery token and all.</summary>
    private async Task SignInAsync(HttpClient client)
    {
        var form = await client.GetStringAsync("/account/login");
        var fields = HiddenInput().Matches(form).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        fields["Input.Email"] = email;
        fields["Input.Password"] = password;
        using var content = new FormUrlEncodedContent(fields);
        using var response = await client.PostAsync("/account/login", content);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Signing in as {email} answered {(int)response.StatusCode} instead of a redirect.");
        }
    }

    private static async Task EnsureOkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK || body.Length == 0)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode} with {body.Length} bytes.");
        }
    }

    [GeneratedRegex("""<input[^>]*type="hidden"[^>]*name="(?<name>[^"]+)"[^>]*value="(?<value>[^"]*)"[^>]*>""")]
    private static partial Regex HiddenInput();
}
