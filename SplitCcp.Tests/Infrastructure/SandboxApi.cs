using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SplitCcp.Core.Reconciliation.Resources;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>A Sandbox tenant driven through the HTTP API as a script would: made, applied, its console steps done.</summary>
internal static class SandboxApi
{
    /// <summary>POST /api/demo-tenants: a Sandbox tenant with a complete setup; its ID.</summary>
    public static async Task<Guid> CreateDemoTenantAsync(this HttpClient api)
    {
        var created = await api.PostAsync("/api/demo-tenants", null);
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Applies the tenant and waits until the apply has succeeded.</summary>
    public static async Task ApplyAsync(this HttpClient api, Guid tenantId)
    {
        var started = await api.PostAsync($"/api/tenants/{tenantId}/apply", null);
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            var apply = await api.GetFromJsonAsync<JsonElement>(started.Headers.Location, deadline.Token);
            var state = apply.GetProperty("state").GetString();
            if (state is "Succeeded" or "Failed")
            {
                state.ShouldBe("Succeeded", apply.GetProperty("error").ToString());
                return;
            }

            await Task.Delay(100, deadline.Token);
        }
    }

    /// <summary>POST /api/tenants/{id}/sandbox/tamper: a change made in the AWS console, or a console step done.</summary>
    public static async Task TamperAsync(this HttpClient api, Guid tenantId, object change) =>
        (await api.PostAsJsonAsync($"/api/tenants/{tenantId}/sandbox/tamper", change)).StatusCode.ShouldBe(HttpStatusCode.OK);

    /// <summary>Applies, captures the image as an operator would in the builder, applies again: everything in sync.</summary>
    public static async Task ConvergeAsync(this HttpClient api, Guid tenantId)
    {
        await api.ApplyAsync(tenantId);
        await api.TamperAsync(tenantId, new { resource = ResourceKeys.Image, change = "Complete" });
        await api.ApplyAsync(tenantId);
    }
}
