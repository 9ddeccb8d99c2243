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

    /// <summary>POST /api/tenants/{id}/plan: the plan, with the fingerprint an apply names.</summary>
    public static async Task<JsonElement> PlanAsync(this HttpClient api, Guid tenantId)
    {
        var planned = await api.PostAsync($"/api/tenants/{tenantId}/plan", null);
        planned.StatusCode.ShouldBe(HttpStatusCode.OK, await planned.Content.ReadAsStringAsync());
        return await planned.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>POST /api/tenants/{id}/apply with the fingerprint of the plan confirmed.</summary>
    public static Task<HttpResponseMessage> PostApplyAsync(this HttpClient api, Guid tenantId, string? planFingerprint) =>
        api.PostAsJsonAsync($"/api/tenants/{tenantId}/apply", new { planFingerprint });

    /// <summary>Plans the tenant and applies that plan, as a script confirming it would: the 202 with the apply's Location.</summary>
    public static async Task<HttpResponseMessage> PlanAndApplyAsync(this HttpClient api, Guid tenantId)
    {
        var plan = await api.PlanAsync(tenantId);
        return await api.PostApplyAsync(tenantId, plan.GetProperty("fingerprint").GetString());
    }

    /// <summary>Plans and applies the tenant and waits until the apply has succeeded.</summary>
    public static async Task ApplyAsync(this HttpClient api, Guid tenantId)
    {
        var started = await api.PlanAndApplyAsync(tenantId);
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
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
