using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web;

/// <summary>
/// Two portals on one PostgreSQL database, as replicas run: they start together on an empty database and migrate it once
/// (EF Core's migration lock, on Npgsql a lock of the history table), and share Identity and the Data Protection keys, so
/// a cookie one of them issued signs in on the other.
/// </summary>
public sealed class PostgreSqlReplicaTests : IDisposable
{
    private readonly SplitCcpWebFactory _first = new(provider: StorageProvider.PostgreSql);
    private readonly SplitCcpWebFactory _second;

    public PostgreSqlReplicaTests()
    {
        _second = new SplitCcpWebFactory(provider: StorageProvider.PostgreSql)
            .WithSetting($"{StorageOptions.SectionName}:ConnectionString", _first.Database.ConnectionString);
    }

    [Fact]
    public async Task TwoPortalsStartingTogether_OnOneEmptyDatabase_BothStartAndTheSchemaIsMigratedOnce()
    {
        (await _first.Database.QueryScalarAsync("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")).ShouldBe(0L);

        await Task.WhenAll(Task.Run(() => _first.Server), Task.Run(() => _second.Server));

        await using var db = await _first.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync();
        var migrations = db.Database.GetMigrations().ToList();
        migrations.ShouldNotBeEmpty();
        (await _first.Database.QueryScalarAsync("SELECT COUNT(*) FROM \"__EFMigrationsHistory\"")).ShouldBe((long)migrations.Count);
        (await _first.Database.QueryScalarAsync("SELECT COUNT(*) FROM \"AspNetUsers\"")).ShouldBe(1L, "both bootstrapped the same operator, once");
        foreach (var portal in new[] { _first, _second })
        {
            (await portal.CreateApiClient(null).GetAsync("/healthz/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task CookieIssuedByOnePortal_SignsInOnTheOther()
    {
        // Cookies carried by hand, so the sign-in cookie can be taken to the other portal.
        using var browser = _first.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        var form = await browser.GetAsync("/account/login");
        var fields = SplitCcpWebFactory.HiddenInputs(await form.Content.ReadAsStringAsync());
        fields["Input.Email"] = SplitCcpWebFactory.AdminEmail;
        fields["Input.Password"] = SplitCcpWebFactory.AdminPassword;
        using var post = new HttpRequestMessage(HttpMethod.Post, "/account/login") { Content = new FormUrlEncodedContent(fields) };
        post.Headers.Add("Cookie", string.Join("; ", CookiesOf(form)));
        var signIn = await browser.SendAsync(post);
        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var cookie = CookiesOf(signIn).Single(c => c.StartsWith("SplitCcp.Auth=", StringComparison.Ordinal));

        using var other = _second.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        var anonymous = await other.GetAsync("/users");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/users");
        request.Headers.Add("Cookie", cookie);
        var signedIn = await other.SendAsync(request);

        anonymous.StatusCode.ShouldBe(HttpStatusCode.Redirect, "without the cookie the other portal sends the visitor to sign in");
        signedIn.StatusCode.ShouldBe(HttpStatusCode.OK, await signedIn.Content.ReadAsStringAsync());
        (await _first.Database.QueryScalarAsync("SELECT COUNT(*) FROM \"DataProtectionKeys\"")).ShouldBe(1L, "the second portal used the first one's key");
    }

    private static IEnumerable<string> CookiesOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.Select(c => c.Split(';')[0]) : [];

    public void Dispose()
    {
        _second.Dispose();
        _first.Dispose();
    }
}
