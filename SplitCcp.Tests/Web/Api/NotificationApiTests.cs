using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Notifications;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Core.Notifications;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Api;

/// <summary>/api/notifications as the whole portal serves it, to a webhook receiver on a loopback port.</summary>
public sealed class NotificationApiTests : IAsyncLifetime, IDisposable
{
    private readonly SplitCcpWebFactory _app = new SplitCcpWebFactory().WithSetting("SplitCcp:Notifications:PollInterval", "00:00:00.100");
    private WebhookReceiver _receiver = default!;
    private TenantView _ours = default!;
    private TenantView _theirs = default!;

    /// <summary>Every notification route, with a body where it takes one.</summary>
    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/api/notifications/endpoints" },
        { "POST", "/api/notifications/endpoints" },
        { "GET", "/api/notifications/endpoints/{id}" },
        { "PUT", "/api/notifications/endpoints/{id}" },
        { "DELETE", "/api/notifications/endpoints/{id}" },
        { "POST", "/api/notifications/endpoints/{id}/test" },
        { "GET", "/api/notifications/deliveries" },
    };

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _ours = await _app.CreateTenantAsync("Our Tenant", "our-tenant");
        _theirs = await _app.CreateTenantAsync("Zebra Secret Holdings", "zebra-secret");
    }

    [Fact]
    public void RouteTable_HasEveryNotificationRoute()
    {
        var routes = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/notifications", StringComparison.Ordinal) == true)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods
                .Select(m => $"{m} {e.RoutePattern.RawText!.Replace("{endpointId:guid}", "{id}", StringComparison.Ordinal)}"))
            .ToList();

        routes.ShouldBe(Routes.Select(r => $"{r[0]} {r[1]}"), ignoreOrder: true, "every route is in the authorization tests below");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_route_refuses_anonymous_callers_and_viewers(string method, string route)
    {
        var id = await CreateAsync(SplitCcpWebFactory.AdminToken, new { name = "MSP", url = _receiver.Url, format = "GenericJson", events = s_events, allTenants = true });
        var viewer = await _app.CreateUserAsync("viewer@example.com", Roles.Viewer, _ours.Id);

        var anonymous = await SendAsync(_app.CreateApiClient(null), method, route, id);
        var asViewer = await SendAsync(_app.CreateApiClient(viewer.Token), method, route, id);

        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        asViewer.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await asViewer.Content.ReadAsStringAsync()).ShouldNotContain(_receiver.Url);
        _receiver.Received.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("POST", "/api/notifications/endpoints")]
    [InlineData("PUT", "/api/notifications/endpoints/{id}")]
    [InlineData("DELETE", "/api/notifications/endpoints/{id}")]
    [InlineData("POST", "/api/notifications/endpoints/{id}/test")]
    public async Task A_read_only_token_reads_but_changes_and_tests_nothing(string method, string route)
    {
        var id = await CreateAsync(SplitCcpWebFactory.AdminToken, new { name = "MSP", url = _receiver.Url, format = "Slack", events = s_events, allTenants = true });
        var readOnly = await _app.CreateUserAsync("auditor@example.com", Roles.MspOperator);
        var client = _app.CreateApiClient(readOnly.ReadOnlyToken);

        var response = await SendAsync(client, method, route, id);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.GetAsync("/api/notifications/endpoints")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/api/notifications/deliveries")).StatusCode.ShouldBe(HttpStatusCode.OK);
        _receiver.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_endpoints_secret_is_in_the_response_that_made_it_only_and_signs_the_test_delivery()
    {
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);

        var created = await client.PostAsJsonAsync("/api/notifications/endpoints", new
        {
            name = "Ops webhook", url = _receiver.Url, format = "GenericJson", events = s_events, allTenants = true,
        });
        var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var secret = body.GetProperty("secret").GetString()!;
        var id = body.GetProperty("endpoint").GetProperty("id").GetGuid();
        var test = await client.PostAsync($"/api/notifications/endpoints/{id}/test", null);

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        created.Headers.CacheControl!.NoStore.ShouldBeTrue();
        created.Headers.Location!.ToString().ShouldBe($"/api/notifications/endpoints/{id}");
        secret.ShouldStartWith("sccpwh_");
        test.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = JsonDocument.Parse(await test.Content.ReadAsStringAsync()).RootElement;
        result.GetProperty("state").GetString().ShouldBe("Delivered");
        result.GetProperty("lastStatusCode").GetInt32().ShouldBe(200);
        result.GetProperty("event").GetString().ShouldBe("Test");
        var request = _receiver.Received.ShouldHaveSingleItem();
        request.Headers["X-SplitCcp-Signature"].ShouldBe(NotificationDeliveryTests.Signature(secret, request.Headers["X-SplitCcp-Timestamp"], request.Body));
        request.Json.GetProperty("event").GetString().ShouldBe("Test");

        foreach (var read in new[] { "/api/notifications/endpoints", $"/api/notifications/endpoints/{id}", "/api/notifications/deliveries" })
        {
            var response = await client.GetAsync(read);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, read);
            var text = await response.Content.ReadAsStringAsync();
            text.ShouldNotContain(secret, customMessage: read);
            text.ShouldNotContain(_receiver.Url, customMessage: read);
        }

        body.GetProperty("endpoint").GetProperty("url").GetString().ShouldBe(new Uri(_receiver.Url).GetLeftPart(UriPartial.Authority) + "/…");

        var log = JsonDocument.Parse(await client.GetStringAsync("/api/notifications/deliveries")).RootElement.EnumerateArray().ShouldHaveSingleItem();
        log.GetProperty("endpointName").GetString().ShouldBe("Ops webhook");
        log.GetProperty("lastResponse").GetString().ShouldBe("ok");
        _app.Database.FilesContain(secret).ShouldBeFalse();
        _app.Database.FilesContain(_receiver.Url).ShouldBeFalse("the address is stored encrypted");
    }

    [Fact]
    public async Task Changing_an_endpoint_keeps_its_secret_unless_asked_and_deleting_it_removes_it()
    {
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var id = await CreateAsync(SplitCcpWebFactory.AdminToken, new { name = "Ops", url = _receiver.Url, format = "Teams", events = s_events, allTenants = true });

        var changed = await client.PutAsJsonAsync($"/api/notifications/endpoints/{id}", new
        {
            name = "Ops (Teams)", url = _receiver.Url, format = "Teams", events = s_liveOnly, allTenants = false, tenantIds = new[] { _ours.Id }, enabled = false,
        });
        var rotated = await client.PutAsJsonAsync($"/api/notifications/endpoints/{id}", new
        {
            name = "Ops (Teams)", url = _receiver.Url, format = "Teams", events = s_liveOnly, allTenants = false, tenantIds = new[] { _ours.Id }, rotateSecret = true,
        });
        var deleted = await client.DeleteAsync($"/api/notifications/endpoints/{id}");

        changed.StatusCode.ShouldBe(HttpStatusCode.OK);
        var endpoint = JsonDocument.Parse(await changed.Content.ReadAsStringAsync()).RootElement;
        endpoint.GetProperty("secret").ValueKind.ShouldBe(JsonValueKind.Null);
        endpoint.GetProperty("endpoint").GetProperty("name").GetString().ShouldBe("Ops (Teams)");
        endpoint.GetProperty("endpoint").GetProperty("enabled").GetBoolean().ShouldBeFalse();
        endpoint.GetProperty("endpoint").GetProperty("tenantIds").EnumerateArray().Select(t => t.GetGuid()).ShouldBe([_ours.Id]);
        endpoint.GetProperty("endpoint").GetProperty("events").EnumerateArray().Select(e => e.GetString()).ShouldBe(["TenantLive"]);
        rotated.Headers.CacheControl!.NoStore.ShouldBeTrue();
        JsonDocument.Parse(await rotated.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString().ShouldStartWith("sccpwh_");
        deleted.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await client.GetAsync($"/api/notifications/endpoints/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.DeleteAsync($"/api/notifications/endpoints/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_invalid_endpoint_is_refused_with_a_reason_per_field()
    {
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);

        var response = await client.PostAsJsonAsync("/api/notifications/endpoints", new
        {
            name = " ", url = "http://hooks.example.com/x", events = Array.Empty<string>(), allTenants = false, tenantIds = new[] { Guid.NewGuid() },
        });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        errors.EnumerateObject().Select(p => p.Name).ShouldBe(["name", "url", "format", "events", "tenantIds"], ignoreOrder: true);
        errors.GetProperty("url")[0].GetString().ShouldNotBeNull().ShouldStartWith("Use https://.");
        errors.GetProperty("tenantIds")[0].GetString().ShouldNotBeNull().ShouldStartWith("There is no tenant");
    }

    [Fact]
    public async Task A_tenant_admin_sees_and_changes_only_the_endpoints_of_their_tenants()
    {
        var admin = await _app.CreateUserAsync("admin@ours.example", Roles.TenantAdmin, _ours.Id);
        var client = _app.CreateApiClient(admin.Token);
        var msp = await CreateAsync(SplitCcpWebFactory.AdminToken, new { name = "MSP every tenant", url = _receiver.Url, format = "GenericJson", events = s_events, allTenants = true });
        var other = await CreateAsync(SplitCcpWebFactory.AdminToken, new
        {
            name = "Zebra's channel", url = _receiver.Url, format = "GenericJson", events = s_events, allTenants = false, tenantIds = new[] { _theirs.Id },
        });
        await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).PostAsync($"/api/notifications/endpoints/{other}/test", null);

        var every = await client.PostAsJsonAsync("/api/notifications/endpoints", new { name = "All", url = _receiver.Url, format = "GenericJson", events = s_events, allTenants = true });
        var theirs = await client.PostAsJsonAsync("/api/notifications/endpoints", new
        {
            name = "Theirs", url = _receiver.Url, format = "GenericJson", events = s_events, allTenants = false, tenantIds = new[] { _theirs.Id },
        });
        var mine = await CreateAsync(admin.Token, new
        {
            name = "Our channel", url = _receiver.Url, format = "Slack", events = s_events, allTenants = false, tenantIds = new[] { _ours.Id },
        });
        var listed = await client.GetStringAsync("/api/notifications/endpoints");
        var log = await client.GetStringAsync("/api/notifications/deliveries");

        every.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        theirs.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        JsonDocument.Parse(listed).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetGuid()).ShouldBe([mine]);
        listed.ShouldNotContain("Zebra");
        log.ShouldNotContain("Zebra");
        JsonDocument.Parse(log).RootElement.GetArrayLength().ShouldBe(0);
        foreach (var hidden in new[] { msp, other })
        {
            (await client.GetAsync($"/api/notifications/endpoints/{hidden}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await client.DeleteAsync($"/api/notifications/endpoints/{hidden}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await client.PostAsync($"/api/notifications/endpoints/{hidden}/test", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        (await client.PostAsync($"/api/notifications/endpoints/{mine}/test", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        _receiver.Received.Count.ShouldBe(2, "the operator's test and the admin's");
    }

    [Fact]
    public async Task The_notifications_page_is_for_operators_and_tenant_admins_and_never_shows_a_secret()
    {
        var admin = await _app.CreateUserAsync("admin@ours.example", Roles.TenantAdmin, _ours.Id);
        var viewer = await _app.CreateUserAsync("viewer@ours.example", Roles.Viewer, _ours.Id);
        var created = await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).PostAsJsonAsync("/api/notifications/endpoints", new
        {
            name = "Ops webhook", url = _receiver.Url, format = "GenericJson", events = s_events, allTenants = true,
        });
        var secret = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString()!;

        var anonymous = await _app.CreateApiClient(null).GetAsync("/notifications");
        var asViewer = await PageAsync(viewer.Email, viewer.Password);
        var asAdmin = await PageAsync(admin.Email, admin.Password);
        var asOperator = await PageAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);

        anonymous.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        anonymous.Headers.Location!.ToString().ShouldContain("/account/login");
        asViewer.ShouldContain("You can&#x27;t do that here");
        asViewer.ShouldNotContain("Ops webhook");
        asAdmin.ShouldContain("<h1");
        asAdmin.ShouldContain("Notifications");
        asAdmin.ShouldNotContain("Ops webhook", customMessage: "an endpoint for every tenant is the MSP's");
        asOperator.ShouldContain("Ops webhook");
        asOperator.ShouldNotContain(secret);
    }

    private static readonly string[] s_liveOnly = ["TenantLive"];

    [Fact]
    public async Task An_email_endpoint_is_refused_in_words_while_the_portal_has_no_mail_server()
    {
        var response = await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).PostAsJsonAsync("/api/notifications/endpoints",
            new { name = "Ops mail", channel = "Email", recipients = s_opsMail, events = s_events, allTenants = true });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").GetProperty("recipients")[0].GetString().ShouldBe(NotificationRules.NoMailServer);
    }

    [Fact]
    public async Task An_email_endpoint_made_by_the_api_lists_its_recipients_and_its_test_is_mailed()
    {
        using var smtp = SmtpSink.Start();
        using var app = new SplitCcpWebFactory();
        foreach (var (key, value) in smtp.Settings())
        {
            app.WithSetting(key, value);
        }

        var api = app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var created = await api.PostAsJsonAsync("/api/notifications/endpoints",
            new { name = "Ops mail", channel = "Email", recipients = s_opsMail, events = s_events, allTenants = true });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var endpoint = body.GetProperty("endpoint");
        endpoint.GetProperty("channel").GetString().ShouldBe("Email");
        endpoint.GetProperty("recipients").EnumerateArray().Select(r => r.GetString()).ShouldBe(["ops@msp.example"]);
        body.TryGetProperty("secret", out var secret).ShouldBeTrue();
        secret.ValueKind.ShouldBe(JsonValueKind.Null);

        var test = await api.PostAsync($"/api/notifications/endpoints/{endpoint.GetProperty("id").GetGuid()}/test", null);
        test.StatusCode.ShouldBe(HttpStatusCode.OK, await test.Content.ReadAsStringAsync());
        (await test.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString().ShouldBe("Delivered");
        (await smtp.WaitForMessageAsync("ops@msp.example")).Subject.ShouldBe("[SplitCcp] Test notification from SplitCcp");
    }

    private static readonly string[] s_opsMail = ["ops@msp.example"];

    private static readonly string[] s_events = ["TenantDrifted", "TenantFailing", "ApplyFailed", "TenantLive"];

    private async Task<string> PageAsync(string email, string password)
    {
        var client = await _app.CreateSignedInClientAsync(email, password);
        var response = await client.GetAsync("/notifications");
        for (var hops = 0; response.StatusCode == HttpStatusCode.Redirect && hops < 3; hops++)
        {
            response = await client.GetAsync(response.Headers.Location);
        }

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<Guid> CreateAsync(string token, object endpoint)
    {
        var response = await _app.CreateApiClient(token).PostAsJsonAsync("/api/notifications/endpoints", endpoint);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("endpoint").GetProperty("id").GetGuid();
    }

    private Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string route, Guid id)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), route.Replace("{id}", id.ToString(), StringComparison.Ordinal));
        if (method is "POST" or "PUT" && !route.EndsWith("/test", StringComparison.Ordinal))
        {
            request.Content = new StringContent(JsonSerializer.Serialize(new
            {
                name = "Injected", url = _receiver.Url, format = "GenericJson", events = s_events, allTenants = false, tenantIds = new[] { _ours.Id },
            }), Encoding.UTF8, "application/json");
        }

        return client.SendAsync(request);
    }

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    public void Dispose() => _app.Dispose();
}
