using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Api;

public class TenantApiTests : IDisposable
{
    public TenantApiTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the app runs on.</param>
    protected TenantApiTests(StorageProvider provider)
    {
        _app = new SplitCcpWebFactory(provider: provider);
    }

    private readonly SplitCcpWebFactory _app;

    private static object ValidTenant(string slug = "acme-support") => new
    {
        displayName = "Acme Support",
        slug,
        region = "us-east-1",
        accessMode = "AssumeRole",
        roleArn = "arn:aws:iam::123456789012:role/SplitCcpAccess",
        externalId = "acme-ext-1234",
    };

    [Fact]
    public async Task List_NoToken_Returns401Problem()
    {
        var response = await _app.CreateApiClient(null).GetAsync("/api/tenants");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await Problem(response)).GetProperty("status").GetInt32().ShouldBe(401);
    }

    [Theory]
    [InlineData("Bearer sccp_not-a-real-token-000000000000000000")]
    [InlineData("Bearer ")]
    [InlineData("Basic YWRtaW46cGFzc3dvcmQ=")]
    public async Task List_BadToken_Returns401(string header)
    {
        var client = _app.CreateApiClient(null);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);

        var response = await client.GetAsync("/api/tenants");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Problem(response)).GetProperty("detail").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task List_CookieOfSignedInAdmin_IsNotAcceptedOnApi()
    {
        var browser = await _app.CreateSignedInClientAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);

        var response = await browser.GetAsync("/api/tenants");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task CreateGetList_BootstrapToken_RoundTrips()
    {
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);

        var created = await client.PostAsJsonAsync("/api/tenants", ValidTenant());

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var body = await Json(created);
        var id = body.GetProperty("id").GetGuid();
        created.Headers.Location!.ToString().ShouldBe($"/api/tenants/{id}");
        body.GetProperty("accessMode").GetString().ShouldBe("AssumeRole");
        body.GetProperty("version").GetInt32().ShouldBe(1);

        var fetched = await Json(await client.GetAsync($"/api/tenants/{id}"));
        fetched.GetProperty("slug").GetString().ShouldBe("acme-support");
        fetched.GetProperty("externalId").GetString().ShouldBe("acme-ext-1234");

        var list = await Json(await client.GetAsync("/api/tenants?search=acme"));
        list.GetProperty("total").GetInt32().ShouldBe(1);
        list.GetProperty("items")[0].GetProperty("id").GetGuid().ShouldBe(id);
    }

    [Fact]
    public async Task Create_InvalidFields_Returns400WithAnErrorPerField()
    {
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);

        var response = await client.PostAsJsonAsync("/api/tenants", new
        {
            displayName = "",
            slug = "Bad Slug",
            region = "moon-east-1",
            accessMode = "AssumeRole",
            roleArn = "arn:aws:iam::12:role/x",
            externalId = "a",
            endpointUrl = "javascript:alert(1)",
        });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await Problem(response)).GetProperty("errors");
        foreach (var field in new[] { "displayName", "slug", "region", "roleArn", "externalId", "endpointUrl" })
        {
            errors.TryGetProperty(field, out var messages).ShouldBeTrue(field);
            messages[0].GetString().ShouldNotBeNullOrWhiteSpace();
        }
    }

    [Fact]
    public async Task Create_UnknownAccessMode_Returns400OnThatField()
    {
        var response = await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).PostAsJsonAsync("/api/tenants",
            new { displayName = "X", slug = "xyz", region = "us-east-1", accessMode = "Telepathy" });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Problem(response)).GetProperty("errors").GetProperty("accessMode")[0].GetString()!.ShouldContain("Sandbox");
    }

    [Fact]
    public async Task Create_MalformedJson_Returns400Problem()
    {
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);

        var response = await client.PostAsync("/api/tenants", new StringContent("{\"displayName\":", System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Problem(response)).GetProperty("detail").GetString()!.ShouldContain("not valid JSON");
    }

    [Fact]
    public async Task Create_BodyLargerThanTheApiLimit_Returns413SayingTheLimit()
    {
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);

        var response = await client.PostAsync("/api/tenants",
            new StringContent($$"""{ "displayName": "{{new string('a', 100_000)}}" }""", System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await Problem(response)).GetProperty("detail").GetString()!.ShouldContain("64 KB");
    }

    [Fact]
    public async Task Create_DuplicateSlug_Returns400OnSlug()
    {
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        (await client.PostAsJsonAsync("/api/tenants", ValidTenant())).EnsureSuccessStatusCode();

        var response = await client.PostAsJsonAsync("/api/tenants", ValidTenant());

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Problem(response)).GetProperty("errors").GetProperty("slug")[0].GetString()!.ShouldContain("already used");
    }

    [Fact]
    public async Task Update_StaleVersion_Returns409AndKeepsTheFirstWrite()
    {
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var id = (await Json(await client.PostAsJsonAsync("/api/tenants", ValidTenant()))).GetProperty("id").GetGuid();

        var first = await client.PutAsJsonAsync($"/api/tenants/{id}", new
        {
            displayName = "First editor", slug = "acme-support", region = "us-east-1", accessMode = "Sandbox", version = 1,
        });
        var second = await client.PutAsJsonAsync($"/api/tenants/{id}", new
        {
            displayName = "Second editor", slug = "acme-support", region = "us-east-1", accessMode = "Sandbox", version = 1,
        });

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Json(first)).GetProperty("version").GetInt32().ShouldBe(2);
        second.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Problem(second)).GetProperty("detail").GetString()!.ShouldContain("Reload");
        (await Json(await client.GetAsync($"/api/tenants/{id}"))).GetProperty("displayName").GetString().ShouldBe("First editor");
    }

    [Fact]
    public async Task Update_WithoutVersion_Returns400OnVersion()
    {
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var id = (await Json(await client.PostAsJsonAsync("/api/tenants", ValidTenant()))).GetProperty("id").GetGuid();

        var response = await client.PutAsJsonAsync($"/api/tenants/{id}", new { displayName = "X", slug = "acme-support", region = "us-east-1", accessMode = "Sandbox" });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Problem(response)).GetProperty("errors").TryGetProperty("version", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task AccessKeys_SecretIsEncryptedAndNeverReturned()
    {
        const string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);

        var created = await client.PostAsJsonAsync("/api/tenants", new
        {
            displayName = "Keys Inc", slug = "keys-inc", region = "us-east-1", accessMode = "AccessKeys",
            accessKeyId = "AKIAIOSFODNN7EXAMPLE", secretAccessKey = secret,
        });

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var text = await created.Content.ReadAsStringAsync();
        text.ShouldNotContain(secret);
        var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
        var fetched = await client.GetStringAsync($"/api/tenants/{id}");
        fetched.ShouldNotContain(secret);
        JsonDocument.Parse(fetched).RootElement.GetProperty("hasSecretAccessKey").GetBoolean().ShouldBeTrue();

        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync();
        var stored = await db.Tenants.Where(t => t.Id == id).Select(t => t.ProtectedSecretAccessKey).SingleAsync();
        stored.ShouldNotBeNullOrEmpty();
        stored.ShouldNotContain(secret);
        _app.Database.FilesContain(secret).ShouldBeFalse();

        // An update that leaves the secret empty keeps the stored one.
        var updated = await client.PutAsJsonAsync($"/api/tenants/{id}", new
        {
            displayName = "Keys Inc", slug = "keys-inc", region = "us-east-1", accessMode = "AccessKeys",
            accessKeyId = "AKIAIOSFODNN7EXAMPLE", version = 1,
        });
        updated.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Json(updated)).GetProperty("hasSecretAccessKey").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Delete_ByOperator_Returns204ThenGone()
    {
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var id = (await Json(await client.PostAsJsonAsync("/api/tenants", ValidTenant()))).GetProperty("id").GetGuid();

        (await client.DeleteAsync($"/api/tenants/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await client.GetAsync($"/api/tenants/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TenantAdmin_CanEditOwnTenantButNotCreateOrDelete()
    {
        var own = await _app.CreateTenantAsync("Own Co", "own-co");
        var admin = await _app.CreateUserAsync("owner@example.com", Roles.TenantAdmin, own.Id);
        var client = _app.CreateApiClient(admin.Token);

        var update = await client.PutAsJsonAsync($"/api/tenants/{own.Id}", new { displayName = "Own Co Renamed", slug = "own-co", region = "eu-west-2", accessMode = "Sandbox", version = 1 });
        var create = await client.PostAsJsonAsync("/api/tenants", ValidTenant());
        var delete = await client.DeleteAsync($"/api/tenants/{own.Id}");

        update.StatusCode.ShouldBe(HttpStatusCode.OK);
        create.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        delete.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.GetAsync($"/api/tenants/{own.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ReadOnlyToken_CanReadButNotWrite()
    {
        var own = await _app.CreateTenantAsync("Own Co", "own-co");
        var admin = await _app.CreateUserAsync("owner@example.com", Roles.TenantAdmin, own.Id);
        var client = _app.CreateApiClient(admin.ReadOnlyToken);

        (await client.GetAsync($"/api/tenants/{own.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var update = await client.PutAsJsonAsync($"/api/tenants/{own.Id}", new { displayName = "X", slug = "own-co", region = "eu-west-2", accessMode = "Sandbox", version = 1 });

        update.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Problem(update)).GetProperty("detail").GetString()!.ShouldContain("read-only");
    }

    [Fact]
    public async Task List_TenantAdmin_SeesOnlyAssignedTenants()
    {
        var own = await _app.CreateTenantAsync("Own Co", "own-co");
        await _app.CreateTenantAsync("Other Co", "other-co");
        var admin = await _app.CreateUserAsync("owner@example.com", Roles.TenantAdmin, own.Id);

        var text = await _app.CreateApiClient(admin.Token).GetStringAsync("/api/tenants?pageSize=200");

        var list = JsonDocument.Parse(text).RootElement;
        list.GetProperty("total").GetInt32().ShouldBe(1);
        list.GetProperty("items")[0].GetProperty("slug").GetString().ShouldBe("own-co");
        text.ShouldNotContain("other-co");
    }

    [Fact]
    public async Task DisabledUser_TokenStopsWorking()
    {
        var own = await _app.CreateTenantAsync("Own Co", "own-co");
        var admin = await _app.CreateUserAsync("owner@example.com", Roles.TenantAdmin, own.Id);
        var client = _app.CreateApiClient(admin.Token);
        (await client.GetAsync("/api/tenants")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var disable = await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).PutAsJsonAsync($"/api/users/{admin.Id}", new
        {
            email = admin.Email, role = Roles.TenantAdmin, tenantIds = new[] { own.Id }, isDisabled = true,
        });

        disable.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/api/tenants")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<JsonElement> Problem(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        return await Json(response);
    }

    public void Dispose()
    {
        _app.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The same facts on PostgreSQL.</summary>
public sealed class PostgreSqlTenantApiTests() : TenantApiTests(StorageProvider.PostgreSql);
