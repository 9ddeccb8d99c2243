using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>A person at the test provider: the claims it releases about them.</summary>
public sealed record OidcUser(
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("email_verified")] bool EmailVerified,
    [property: JsonPropertyName("groups")] IReadOnlyList<string> Groups);

/// <summary>
/// A real OpenID Connect provider (the npm package oidc-provider, with its development sign-in form: any password) on a
/// loopback port, started by the test with one client, the portal, and stopped with it. Its users live in a file it reads
/// at every sign-in, so a test can change someone's groups between two sign-ins, as an administrator would at the provider.
/// </summary>
public sealed class OidcProvider : IDisposable
{
    public const string ClientId = "splitccp-portal";
    public const string ClientSecret = "test-client-secret-0123456789";

    private static readonly string s_directory = typeof(OidcProvider).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "OidcProviderDirectory").Value!;

    private readonly Process _process;
    private readonly string _usersFile;
    private readonly Dictionary<string, OidcUser> _users;

    private OidcProvider(Process process, int port, string usersFile, Dictionary<string, OidcUser> users)
    {
        _process = process;
        Port = port;
        _usersFile = usersFile;
        _users = users;
    }

    public int Port { get; }

    public string Authority => PortalProcess.Url(Port);

    /// <summary>A port for the provider, to configure the portal with before either starts.</summary>
    public static int ReservePort() => PortalProcess.FreePort();

    /// <summary>The portal's settings for this provider: the operators' group, the tenant admins' pattern, and the viewers' group.</summary>
    public static IReadOnlyDictionary<string, string?> Settings(int port) => new Dictionary<string, string?>
    {
        ["SplitCcp:Oidc:Authority"] = PortalProcess.Url(port),
        ["SplitCcp:Oidc:ClientId"] = ClientId,
        ["SplitCcp:Oidc:ClientSecret"] = ClientSecret,
        ["SplitCcp:Oidc:DisplayName"] = "Contoso",
        ["SplitCcp:Oidc:Scopes:0"] = "groups",
        ["SplitCcp:Oidc:OperatorValues:0"] = "splitccp-operators",
        ["SplitCcp:Oidc:ViewerValues:0"] = "splitccp-viewers",
        ["SplitCcp:Oidc:TenantAdminPattern"] = "splitccp-admin-{tenant}",
        ["SplitCcp:Oidc:ViewerPattern"] = "splitccp-viewer-{tenant}",
    };

    /// <summary>Starts the provider on <paramref name="port"/> for the portal at <paramref name="portal"/>, with these users (by login).</summary>
    public static OidcProvider Start(int port, Uri portal, IReadOnlyDictionary<string, OidcUser> users)
    {
        var usersFile = Path.Combine(Path.GetTempPath(), $"splitccp-oidc-users-{Guid.NewGuid():N}.json");
        var known = new Dictionary<string, OidcUser>(users);
        File.WriteAllText(usersFile, JsonSerializer.Serialize(known));
        var start = new ProcessStartInfo("node",
            [Path.Combine(s_directory, "provider.mjs"), port.ToString(CultureInfo.InvariantCulture), usersFile, ClientId, ClientSecret, new Uri(portal, "/signin-oidc").ToString()])
        {
            WorkingDirectory = s_directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("The OpenID Connect provider did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("Node.js is needed for the tests' OpenID Connect provider: install Node.js 20 or later (it must be on the PATH).", ex);
        }

        ServerProcess.WaitUntilReady(process, $"The OpenID Connect provider did not start on port {port} (the build runs npm ci in {s_directory})");

        return new OidcProvider(process, port, usersFile, known);
    }

    /// <summary>Changes what the provider says about <paramref name="login"/> from their next sign-in on.</summary>
    public void SetUser(string login, OidcUser user)
    {
        _users[login] = user;
        File.WriteAllText(_usersFile, JsonSerializer.Serialize(_users));
    }

    public void Dispose()
    {
        ServerProcess.Stop(_process);
        File.Delete(_usersFile);
    }
}
