using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web;

/// <summary>The built portal on a real disk that fills up (a small tmpfs of its own), and after room is made.</summary>
public sealed class FullDiskProcessTests
{
    private const string Token = "sccp_bootstrap-token-for-full-disk-0123456789abcdef";

    [OwnDiskFact]
    public async Task FullDisk_ReadsGoOnSavesAnswer503SayingSo_AndAllWorksAgainOnceThereIsRoom()
    {
        var port = PortalProcess.FreePort();
        await using var portal = await PortalProcess.StartAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = PortalProcess.Url(port),
            ["SplitCcp__Bootstrap__AdminEmail"] = "admin@example.com",
            ["SplitCcp__Bootstrap__AdminPassword"] = "Bootstrap-Passw0rd",
            ["SplitCcp__Bootstrap__ApiToken"] = Token,
        }, new Uri(PortalProcess.Url(port, "/healthz/ready")), ownDiskBytes: 16 * 1024 * 1024);
        using var http = new HttpClient { BaseAddress = new Uri(PortalProcess.Url(port)) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        (await http.PostAsJsonAsync("/api/tenants", Tenant("before"))).StatusCode.ShouldBe(HttpStatusCode.Created, portal.Output);

        var filler = Path.Combine(portal.DataFolderAsSeenByTests, "filler");
        FillDisk(filler);

        var notReady = await ReadyAsync(http, HttpStatusCode.ServiceUnavailable);
        notReady.ShouldContain("storage: The database cannot be written: the disk is full");
        var read = await http.GetAsync("/api/tenants");
        read.StatusCode.ShouldBe(HttpStatusCode.OK, portal.Output);
        (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").GetArrayLength().ShouldBe(1);
        var refused = await http.PostAsJsonAsync("/api/tenants", Tenant("refused"));
        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, portal.Output);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("title").GetString().ShouldBe("The disk is full: the portal cannot save.");
        problem.GetProperty("detail").GetString()!.ShouldContain("Free space on the disk that holds the data folder.");

        File.Delete(filler);

        (await ReadyAsync(http, HttpStatusCode.OK)).ShouldBe("Healthy");
        (await http.PostAsJsonAsync("/api/tenants", Tenant("after"))).StatusCode.ShouldBe(HttpStatusCode.Created, portal.Output);
        (await http.GetFromJsonAsync<JsonElement>("/api/tenants")).GetProperty("items").GetArrayLength().ShouldBe(2, "nothing of the refused save was kept");
    }

    private static object Tenant(string slug) => new { displayName = $"Tenant {slug}", slug, region = "eu-west-2", accessMode = "Sandbox" };

    private static void FillDisk(string path)
    {
        var block = new byte[64 * 1024];
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        try
        {
            while (true)
            {
                file.Write(block);
                file.Flush();
            }
        }
        catch (IOException)
        {
            // No space left on the device: the disk is full.
        }
    }

    /// <summary>The readiness answer once it has the status expected, within the probe's few seconds.</summary>
    private static async Task<string> ReadyAsync(HttpClient http, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var response = await http.GetAsync("/healthz/ready");
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == expected)
            {
                return body;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ShouldAssertException($"/healthz/ready still answers {(int)response.StatusCode} after 30 s: {body}");
            }

            await Task.Delay(500);
        }
    }
}
