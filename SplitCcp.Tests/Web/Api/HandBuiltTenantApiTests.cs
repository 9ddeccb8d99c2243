using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Api;

/// <summary>
/// The path a real customer takes, driven only through the HTTP API: a tenant made from an empty setup (not the demo),
/// an existing Connect instance, CloudFront hosting, then the console steps and a second apply.
/// </summary>
[Collection(SplitCcp.Tests.Core.Reconciliation.RealTimeTests.Name)]
public sealed class HandBuiltTenantApiTests : IDisposable
{
    private readonly SplitCcpWebFactory _app = new SplitCcpWebFactory()
        .WithSetting("SplitCcp:Sandbox:PhoneNumberClaim", "00:00:00.100")
        .WithSetting("SplitCcp:Sandbox:FleetStart", "00:00:00.300")
        .WithSetting("SplitCcp:Reconciliation:PollInitialInterval", "00:00:00.050")
        .WithSetting("SplitCcp:Reconciliation:PollMaxInterval", "00:00:00.200");

    private readonly HttpClient _admin;

    public HandBuiltTenantApiTests() => _admin = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);

    [Fact]
    public async Task An_existing_instance_CloudFront_and_Identity_Center_in_another_region_converge_in_one_apply_the_console_steps_and_a_second_apply()
    {
        var (tenant, spec) = await CreateHandBuiltTenantAsync("Northwind", "northwind");
        var world = await _app.Services.GetRequiredService<SandboxConsole>().GetWorldAsync(tenant.Id);
        await PutSpecAsync(tenant.Id, spec);

        var first = await ApplyAsync(tenant.Id);

        FailedSteps(first).ShouldBeEmpty();
        first.GetProperty("state").GetString().ShouldBe("Succeeded");
        var open = await OpenItemsAsync(tenant.Id);
        open[ResourceKeys.IdentityCenterApplication].ShouldBe("Manual");
        open[ResourceKeys.Image].ShouldBe("Manual");
        open.Values.ShouldNotContain("Create", "one apply does everything the API can before the console steps");
        open.Values.ShouldNotContain("Update");

        var between = await CheckAsync(tenant.Id);
        between.GetProperty("status").GetString().ShouldBe("Pending", "a setup waiting on its console steps is not drift");
        between.GetProperty("message").GetString().ShouldBe("2 console steps left");

        var viewer = await _app.CreateUserAsync("viewer@northwind.example", Roles.Viewer, tenant.Id);
        using (var viewerClient = _app.CreateApiClient(viewer.Token))
        {
            (await viewerClient.PostAsJsonAsync($"/api/tenants/{tenant.Id}/sandbox/tamper", new { resource = ResourceKeys.IdentityCenterApplication, change = "Complete" }))
                .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        foreach (var manual in open.Where(o => o.Value == "Manual").Select(o => o.Key))
        {
            var done = await _admin.PostAsJsonAsync($"/api/tenants/{tenant.Id}/sandbox/tamper", new { resource = manual, change = "Complete" });
            done.StatusCode.ShouldBe(HttpStatusCode.OK, await done.Content.ReadAsStringAsync());
            (await done.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("summary").GetString()!.ShouldStartWith("Simulated a console step");
        }

        var idc = (await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenant.Id}/spec")).GetProperty("identityCenter");
        idc.GetProperty("applicationArn").GetString()!.ShouldStartWith($"arn:aws:sso::{world.AccountId}:application/");
        idc.GetProperty("metadataUrl").GetString()!.ShouldStartWith($"https://portal.sso.{world.IdentityCenterRegion}.amazonaws.com/saml/metadata/");
        idc.GetProperty("startUrl").GetString()!.ShouldStartWith($"https://{world.IdentityStoreId}.awsapps.com/start/");
        var afterSteps = await CheckAsync(tenant.Id);
        afterSteps.GetProperty("status").GetString().ShouldBe("Pending", "what the second apply creates was never in line");
        afterSteps.GetProperty("message").GetString()!.ShouldEndWith("changes to apply");

        var second = await ApplyAsync(tenant.Id);

        FailedSteps(second).ShouldBeEmpty();
        second.GetProperty("state").GetString().ShouldBe("Succeeded");
        (await OpenItemsAsync(tenant.Id)).ShouldBeEmpty();
        var healthy = await CheckAsync(tenant.Id);
        healthy.GetProperty("resources").EnumerateArray().Where(r => r.GetProperty("state").GetString() != "InSync")
            .Select(r => $"{r.GetProperty("key").GetString()}: {r.GetProperty("state").GetString()} {r.GetProperty("message")}").ShouldBeEmpty();
        healthy.GetProperty("status").GetString().ShouldBe("Healthy");
        var audit = await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenant.Id}/audit?take=200");
        audit.EnumerateArray().Count(a => a.GetProperty("action").GetString() == AuditActions.SandboxChanged).ShouldBe(2);
    }

    private static IEnumerable<string> FailedSteps(JsonElement apply) =>
        apply.GetProperty("steps").EnumerateArray().Where(s => s.GetProperty("state").GetString() == "Failed")
            .Select(s => $"{s.GetProperty("title").GetString()}: {s.GetProperty("message").GetString()}");

    /// <summary>The plan's resources that are not in sync, by key.</summary>
    private async Task<Dictionary<string, string?>> OpenItemsAsync(Guid tenantId)
    {
        var plan = await (await _admin.PostAsync($"/api/tenants/{tenantId}/plan", null)).Content.ReadFromJsonAsync<JsonElement>();
        return plan.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("action").GetString() != "InSync")
            .ToDictionary(i => i.GetProperty("key").GetString()!, i => i.GetProperty("action").GetString());
    }

    private async Task<JsonElement> CheckAsync(Guid tenantId)
    {
        var response = await _admin.PostAsync($"/api/tenants/{tenantId}/check", null);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A Sandbox tenant made through the API, and the setup an operator would type for its existing SAML instance.</summary>
    private async Task<(TenantView Tenant, JsonObject Spec)> CreateHandBuiltTenantAsync(string name, string slug)
    {
        var created = await _admin.PostAsJsonAsync("/api/tenants", new { displayName = name, slug, region = "eu-west-2", accessMode = "Sandbox" });
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var tenant = new TenantView(id, name, slug, "eu-west-2", AwsAccessMode.Sandbox, null, null, null, false, null, DateTime.UtcNow, DateTime.UtcNow, 1);

        var world = await _app.Services.GetRequiredService<SandboxConsole>().GetWorldAsync(id);
        world.IdentityCenterRegion.ShouldNotBe("eu-west-2", "Identity Center lives in another region than Connect, as in most organisations");
        var instances = await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{id}/connect-instances");
        var existing = instances.EnumerateArray().Single(i => i.GetProperty("identityManagementType").GetString() == "SAML");
        var spec = JsonNode.Parse(await _admin.GetStringAsync($"/api/tenants/{id}/spec"))!.AsObject();
        spec["connect"] = new JsonObject
        {
            ["instanceMode"] = "UseExisting",
            ["instanceId"] = existing.GetProperty("id").GetString(),
            ["instanceAlias"] = existing.GetProperty("alias").GetString(),
            ["agents"] = new JsonArray(world.Users.Where(u => u.Group == "Agents").Take(2).Select(u =>
                (JsonNode)new JsonObject { ["email"] = u.UserName, ["firstName"] = u.FirstName, ["lastName"] = u.LastName }).ToArray()),
            ["phoneNumber"] = new JsonObject { ["countryCode"] = "US", ["type"] = "Did" },
        };
        spec["identityCenter"] = new JsonObject
        {
            ["instanceArn"] = world.IdentityCenterInstanceArn,
            ["region"] = world.IdentityCenterRegion,
            ["assignedGroups"] = new JsonArray("Agents"),
        };
        spec["appStream"]!["imageBuilder"]!["subnetIds"] = new JsonArray("subnet-0a1b2c3d4e5f60718");
        spec["appStream"]!["imageBuilder"]!["securityGroupIds"] = new JsonArray("sg-0a1b2c3d4e5f60718");
        return (tenant, spec);
    }

    private async Task PutSpecAsync(Guid tenantId, JsonObject spec)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/tenants/{tenantId}/spec") { Content = JsonContent.Create(spec) };
        var response = await _admin.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> ApplyAsync(Guid tenantId)
    {
        var started = await _admin.PlanAndApplyAsync(tenantId);
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            var apply = await _admin.GetFromJsonAsync<JsonElement>(started.Headers.Location!.ToString(), deadline.Token);
            if (apply.GetProperty("state").GetString() is not ("Pending" or "Running"))
            {
                return apply;
            }

            await Task.Delay(50, deadline.Token);
        }
    }

    [Fact]
    public async Task Connect_instances_are_listed_for_the_setup_and_only_within_the_callers_scope()
    {
        var (tenant, _) = await CreateHandBuiltTenantAsync("Contoso", "contoso");
        var outsider = await _app.CreateUserAsync("outsider@example.com", Roles.TenantAdmin);
        using var other = _app.CreateApiClient(outsider.Token);

        var listed = await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenant.Id}/connect-instances");

        listed.EnumerateArray().Select(i => (i.GetProperty("alias").GetString(), i.GetProperty("identityManagementType").GetString()))
            .ShouldBe(SandboxConnect.Instances(tenant).Select(i => ((string?)i.Alias, (string?)i.IdentityManagementType)), ignoreOrder: true);
        (await other.GetAsync($"/api/tenants/{tenant.Id}/connect-instances")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    public void Dispose()
    {
        _admin.Dispose();
        _app.Dispose();
    }
}
