using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using SplitCcp.Tests.Core.Aws;

namespace SplitCcp.Tests.Deployment;

/// <summary>
/// docker-compose.postgres.yml and its Caddyfile, read as Compose and Caddy read them (Docker is not needed): two replicas
/// on one PostgreSQL database and one key file, each started once the database is healthy and checked on its own, behind
/// a proxy with TLS and sticky sessions whose forwarded headers they believe, and no secret in the files.
/// </summary>
public sealed partial class PostgresComposeFileTests
{
    // The repository root: four levels up from SplitCcp.Tests/bin/<configuration>/<framework>.
    private static readonly string s_root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));

    private static readonly JsonObject s_compose = OnboardingTemplateTests.Parse(File.ReadAllText(Path.Combine(s_root, "docker-compose.postgres.yml")));

    private static JsonObject Services => s_compose["services"]!.AsObject();

    private static List<(string Name, JsonObject Service)> Portals => Services
        .Where(s => (string?)s.Value!["environment"]?["SplitCcp__Storage__Provider"] == "PostgreSql")
        .Select(s => (s.Key, s.Value!.AsObject()))
        .ToList();

    private static (string Name, JsonObject Service) Proxy => Services
        .Where(s => ((string)s.Value!["image"]!).StartsWith("caddy:", StringComparison.Ordinal))
        .Select(s => (s.Key, s.Value!.AsObject()))
        .Single();

    private static string Caddyfile => File.ReadAllText(Path.Combine(s_root, HostPathOf(Proxy.Service, "/etc/caddy/Caddyfile")));

    [Fact]
    public void Portals_AreTwoReplicasOfTheImage_OnTheComposeFilesOwnPostgreSqlDatabase()
    {
        Portals.Count.ShouldBe(2);
        var database = Services["postgres"]!.AsObject();
        database["image"]!.GetValue<string>().ShouldStartWith("postgres:");
        foreach (var (name, portal) in Portals)
        {
            ((string?)portal["build"]).ShouldBe(".", $"{name} is built from the repository's Dockerfile");
            var connection = new NpgsqlConnectionStringBuilder((string)portal["environment"]!["SplitCcp__Storage__ConnectionString"]!);
            connection.Host.ShouldBe("postgres", name);
            connection.Database.ShouldBe((string?)database["environment"]!["POSTGRES_DB"], name);
            connection.Username.ShouldBe((string?)database["environment"]!["POSTGRES_USER"], name);
            connection.Password.ShouldBe((string?)database["environment"]!["POSTGRES_PASSWORD"], $"{name} signs in with the password the server was given");
        }
    }

    [Fact]
    public void Secrets_AreRequiredFromTheEnvironment_NoneIsWrittenInTheFile()
    {
        var secrets = (
            from service in Services
            from setting in service.Value!["environment"]?.AsObject() ?? []
            let value = (string)setting.Value!
            let isConnectionString = setting.Key.EndsWith("ConnectionString", StringComparison.Ordinal)
            where isConnectionString || SecretName().IsMatch(setting.Key)
            select (Service: service.Key, setting.Key, Value: isConnectionString ? new NpgsqlConnectionStringBuilder(value).Password ?? "" : value)).ToList();

        secrets.Count.ShouldBe(3, "the database's password and each replica's connection string");
        foreach (var (service, key, value) in secrets)
        {
            value.ShouldMatch(RequiredVariable().ToString(), $"{service}: {key} is taken from a variable without which Compose refuses to start");
        }
    }

    [Fact]
    public void EachPortal_WaitsForTheDatabaseToBeHealthy_AndHasAHealthCheckOfItsOwn()
    {
        var probe = Services["postgres"]!["healthcheck"]!["test"]!.AsArray().Select(t => (string)t!).ToList();
        probe.ShouldContain("pg_isready");
        foreach (var (name, portal) in Portals)
        {
            ((string?)portal["depends_on"]!["postgres"]!["condition"]).ShouldBe("service_healthy", name);
            var check = portal["healthcheck"]!["test"]!.AsArray().Select(t => (string)t!).ToList();
            check.ShouldContain("http://localhost:8080/healthz", name);
        }
    }

    [Fact]
    public void Portals_ShareOneKeyFile_InOneNamedVolume()
    {
        var keyFiles = Portals.Select(p => (string)p.Service["environment"]!["SplitCcp__DataProtection__KeyFile"]!).Distinct().ToList();
        keyFiles.Count.ShouldBe(1, "a replica with a key file of its own could not read the keys the other wrote");
        var folder = Path.GetDirectoryName(keyFiles[0])!;

        var volumes = Portals.Select(p => VolumeAt(p.Service, folder)).Distinct().ToList();

        volumes.Count.ShouldBe(1);
        s_compose["volumes"]!.AsObject().ContainsKey(volumes[0]!).ShouldBeTrue($"{volumes[0]} is a named volume, not a folder of each replica's own");
    }

    [Fact]
    public void Proxy_IsTheOnlyOneWhoseForwardedHeadersThePortalsBelieve()
    {
        var address = (string?)Proxy.Service["networks"]!["default"]!["ipv4_address"];
        var network = s_compose["networks"]!["default"]!["ipam"]!["config"]!.AsArray().Single()!;

        IPNetwork.Parse((string)network["subnet"]!).Contains(IPAddress.Parse(address!)).ShouldBeTrue();
        IPNetwork.Parse((string)network["ip_range"]!).Contains(IPAddress.Parse(address!))
            .ShouldBeFalse("the other containers are given addresses outside the proxy's, so none of them can take it");
        foreach (var (name, portal) in Portals)
        {
            ((string?)portal["environment"]!["SplitCcp__Proxy__KnownProxies__0"]).ShouldBe(address, name);
            portal.ContainsKey("ports").ShouldBeFalse($"{name} is reached through the proxy only");
        }
    }

    [Fact]
    public void Proxy_ServesTls_AndKeepsEachBrowserOnOneReplica()
    {
        var ports = Proxy.Service["ports"]!.AsArray().Select(p => (string)p!).ToList();
        ports.ShouldContain("443:443");
        var caddyfile = Caddyfile;
        var directives = caddyfile.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        var tls = directives.Single(d => d.StartsWith("tls ", StringComparison.Ordinal));
        var upstreams = directives.Single(d => d.StartsWith("reverse_proxy ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1];

        tls.ShouldBe("tls {$SPLITCCP_TLS:internal}");
        ((string?)Proxy.Service["environment"]!["SPLITCCP_TLS"]).ShouldBe("${SPLITCCP_TLS:-internal}", "Caddy's own certificate authority unless an ACME e-mail is given");
        upstreams.ShouldBe(Portals.Select(p => $"{p.Name}:8080"), ignoreOrder: true);
        directives.ShouldContain(d => d.StartsWith("lb_policy cookie", StringComparison.Ordinal), "a Blazor circuit lives in one replica");
        directives.ShouldContain("health_uri /healthz/ready");
    }

    /// <summary>The host file mounted at <paramref name="target"/>, relative to the compose file.</summary>
    private static string HostPathOf(JsonObject service, string target) =>
        service["volumes"]!.AsArray().Select(v => ((string)v!).Split(':')).Single(v => v[1] == target)[0];

    private static string? VolumeAt(JsonObject service, string target) =>
        service["volumes"]!.AsArray().Select(v => ((string)v!).Split(':')).SingleOrDefault(v => v[1] == target)?[0];

    [GeneratedRegex("PASSWORD|SECRET|TOKEN|KEY$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^\$\{[A-Z_]+:\?[^}]+\}$")]
    private static partial Regex RequiredVariable();
}
