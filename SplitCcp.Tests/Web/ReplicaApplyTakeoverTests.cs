using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Sandbox;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web;

/// <summary>
/// Two built portals on one PostgreSQL database, as replicas run, with a short apply lease and a Sandbox slow enough that
/// applies take several seconds: one is killed with SIGKILL in the middle of its applies, and the other finishes them.
/// </summary>
public sealed class ReplicaApplyTakeoverTests : IDisposable
{
    private const string BootstrapToken = "sccp_bootstrap-token-for-replicas-0123456789abcdef";
    private const int Tenants = 3;

    private readonly TestDatabase _database = TestDatabase.Create(StorageProvider.PostgreSql, "");
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "splitccp-tests", Guid.NewGuid().ToString("N"));

    public ReplicaApplyTakeoverTests()
    {
        Directory.CreateDirectory(_folder);
        // The replicas share the Data Protection keys in the database, so they share the key file that encrypts them.
        File.WriteAllText(KeyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
    }

    private string KeyFile => Path.Combine(_folder, "dataprotection.key");

    [Fact]
    public async Task A_replica_killed_mid_apply_leaves_its_applies_to_the_other_which_finishes_each_once()
    {
        var (portA, portB) = (PortalProcess.FreePort(), PortalProcess.FreePort());
        var started = await Task.WhenAll(StartAsync(portA), StartAsync(portB));
        await using var a = started[0];
        await using var b = started[1];
        using var onA = Client(portA, BootstrapToken);
        var issued = await onA.PostAsJsonAsync("/api/me/tokens", new { name = "replicas" });
        issued.StatusCode.ShouldBe(HttpStatusCode.Created, a.Output);
        using var onB = Client(portB, (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!);
        (await onB.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.OK, "a token made on one replica works on the other");

        var applies = new List<(Guid Tenant, Uri Apply)>();
        for (var i = 0; i < Tenants; i++)
        {
            var tenant = await onA.CreateDemoTenantAsync();
            var accepted = await onA.PlanAndApplyAsync(tenant);
            accepted.StatusCode.ShouldBe(HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync());
            applies.Add((tenant, accepted.Headers.Location!));
        }

        foreach (var (_, apply) in applies)
        {
            await WaitUntilMidwayAsync(onB, apply);
            (await OwnerAsync(apply)).ShouldContain(string.Create(CultureInfo.InvariantCulture, $":{a.ProcessId}:"), Case.Sensitive, "the replica about to be killed runs it");
            (await JournalRowsAsync(apply)).ShouldBeGreaterThan(0L);
        }

        await a.KillAsync();

        var clean = await onB.CreateDemoTenantAsync();
        await onB.ApplyAsync(clean);
        var converged = await ObjectsAsync(clean);
        converged[SandboxKinds.ConnectPhoneNumber].ShouldBe(1);
        foreach (var (tenant, apply) in applies)
        {
            var finished = await WaitUntilFinishedAsync(onB, apply, b);
            finished.GetProperty("state").GetString().ShouldBe("Succeeded", finished.GetProperty("error").ToString());
            finished.GetProperty("attempts").GetInt32().ShouldBe(2, "started on the killed replica, resumed once on the other");
            (await OwnerAsync(apply)).ShouldContain(string.Create(CultureInfo.InvariantCulture, $":{b.ProcessId}:"), Case.Sensitive);
            (await _database.QueryScalarAsync(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM \"ApplyJournal\" WHERE \"ApplyId\" = @id AND \"Phase\" = 'Succeeded' GROUP BY \"ResourceKey\" HAVING COUNT(*) > 1) AS twice",
                    ("id", IdOf(apply))))
                .ShouldBe(0L, "no step was done twice");
            (await ObjectsAsync(tenant)).ShouldBe(converged, "the tenant's account holds what an apply without a kill makes: one phone number, one of each, nothing twice");
        }
    }

    private Task<PortalProcess> StartAsync(int port) => PortalProcess.StartAsync(new Dictionary<string, string>
    {
        ["ASPNETCORE_URLS"] = PortalProcess.Url(port),
        ["SplitCcp__Storage__Provider"] = "PostgreSql",
        ["SplitCcp__Storage__ConnectionString"] = _database.ConnectionString,
        ["SplitCcp__DataProtection__KeyFile"] = KeyFile,
        ["SplitCcp__Bootstrap__AdminEmail"] = "admin@example.com",
        ["SplitCcp__Bootstrap__AdminPassword"] = "Bootstrap-Passw0rd",
        ["SplitCcp__Bootstrap__ApiToken"] = BootstrapToken,
        ["SplitCcp__Reconciliation__ApplyLease"] = "00:00:04",
        ["SplitCcp__Reconciliation__PollInitialInterval"] = "00:00:00.2",
        ["SplitCcp__Reconciliation__PollMaxInterval"] = "00:00:00.5",
        ["SplitCcp__Sandbox__Latency"] = "00:00:00.02",
        ["SplitCcp__Sandbox__InstanceCreation"] = "00:00:06",
        ["SplitCcp__Sandbox__PhoneNumberClaim"] = "00:00:02",
        ["SplitCcp__Sandbox__ImageBuilderStart"] = "00:00:02",
        ["SplitCcp__Sandbox__DistributionDeployment"] = "00:00:02",
    }, new Uri(PortalProcess.Url(port, "/healthz/ready")));

    private static HttpClient Client(int port, string token)
    {
        var http = new HttpClient { BaseAddress = new Uri(PortalProcess.Url(port)) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>Waits until the apply is Running with some steps done and others not: its journal part-written.</summary>
    private static async Task WaitUntilMidwayAsync(HttpClient api, Uri apply)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var view = await api.GetFromJsonAsync<JsonElement>(apply, deadline.Token);
            var steps = view.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("state").GetString()).ToList();
            view.GetProperty("state").GetString().ShouldBeOneOf(["Pending", "Running"], "the apply ended before it was half-way: make the Sandbox slower");
            if (steps.Contains("Succeeded") && steps.Any(s => s is "Pending" or "Running" or "InProgress"))
            {
                return;
            }

            await Task.Delay(50, deadline.Token);
        }
    }

    private static async Task<JsonElement> WaitUntilFinishedAsync(HttpClient api, Uri apply, PortalProcess portal)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var view = await api.GetFromJsonAsync<JsonElement>(apply);
            if (view.GetProperty("state").GetString() is "Succeeded" or "Failed")
            {
                return view;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ShouldAssertException($"The apply {apply} is still {view.GetProperty("state")} after 90 s:\n{portal.Output}");
            }

            await Task.Delay(100);
        }
    }

    private static Guid IdOf(Uri apply) => Guid.Parse(apply.OriginalString.Split('/')[^1]);

    private async Task<string> OwnerAsync(Uri apply) =>
        (string)(await _database.QueryScalarAsync("SELECT \"ClaimedBy\" FROM \"Applies\" WHERE \"Id\" = @id", ("id", IdOf(apply))))!;

    private async Task<long> JournalRowsAsync(Uri apply) =>
        (long)(await _database.QueryScalarAsync("SELECT COUNT(*) FROM \"ApplyJournal\" WHERE \"ApplyId\" = @id", ("id", IdOf(apply))))!;

    /// <summary>The tenant's Sandbox objects, kind by kind: what its AWS account holds.</summary>
    private async Task<SortedDictionary<string, int>> ObjectsAsync(Guid tenantId)
    {
        await using var connection = _database.Connect();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"Kind\", COUNT(*) FROM \"SandboxObjects\" WHERE \"TenantId\" = @id GROUP BY \"Kind\"";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "id";
        parameter.Value = tenantId;
        command.Parameters.Add(parameter);
        // Sorted, so two tenants holding the same objects compare equal whatever order the rows came back in.
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture);
        }

        return counts;
    }

    public void Dispose()
    {
        _database.Drop();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned by the OS.
        }
    }
}
