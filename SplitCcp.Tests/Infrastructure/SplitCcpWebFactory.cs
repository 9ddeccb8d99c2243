using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>
/// The real app on a real SQLite file in a temp folder, or on a database of its own on a real PostgreSQL server, with the
/// bootstrap admin and token configured as an operator would.
/// Each instance is its own installation. <see cref="StartKestrel"/> puts it on a loopback port for the browser tests.
/// </summary>
public sealed partial class SplitCcpWebFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@splitccp.test";
    public const string AdminPassword = "Bootstrap-Passw0rd";
    public const string AdminToken = "sccp_bootstrap-token-for-tests-0123456789abcdef";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "splitccp-tests", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> _settings;
    private readonly TestDatabase _database;
    private bool _kestrel;
    private string _environment = "Development";
    private Action<IServiceCollection>? _configureServices;

    /// <param name="bootstrap">False for a fresh installation whose first visitor meets the setup page.</param>
    /// <param name="provider">The database engine; on SQLite the portal makes its file in its data folder, as it does by default.</param>
    public SplitCcpWebFactory(bool bootstrap = true, StorageProvider provider = StorageProvider.Sqlite)
    {
        Directory.CreateDirectory(_dataDirectory);
        _database = TestDatabase.Create(provider, _dataDirectory);
        _settings = provider == StorageProvider.Sqlite ? [] : new Dictionary<string, string?>(_database.Settings);
        foreach (var (key, value) in new Dictionary<string, string?>
        {
            ["SplitCcp:Storage:DataDirectory"] = _dataDirectory,

            // Scheduled drift passes would check tenants behind a test's back; the drift tests switch them on.
            ["SplitCcp:Drift:Enabled"] = "false",
        })
        {
            _settings[key] = value;
        }

        if (bootstrap)
        {
            _settings["SplitCcp:Bootstrap:AdminEmail"] = AdminEmail;
            _settings["SplitCcp:Bootstrap:AdminPassword"] = AdminPassword;
            _settings["SplitCcp:Bootstrap:ApiToken"] = AdminToken;
        }
    }

    public string DatabasePath => Path.Combine(_dataDirectory, "splitccp.db");

    /// <summary>The app's database, as a test sees it past the app.</summary>
    internal TestDatabase Database => _database;

    /// <summary>Sets one configuration value; call before the app starts.</summary>
    public SplitCcpWebFactory WithSetting(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>The Sandbox's slow operations (instance creation, number claims, fleet start) in a fraction of a second, and applies polling to match.</summary>
    public SplitCcpWebFactory WithQuickSandbox() =>
        WithSetting("SplitCcp:Sandbox:InstanceCreation", "00:00:00.300")
            .WithSetting("SplitCcp:Sandbox:PhoneNumberClaim", "00:00:00.100")
            .WithSetting("SplitCcp:Sandbox:ImageBuilderStart", "00:00:00.300")
            .WithSetting("SplitCcp:Sandbox:DistributionDeployment", "00:00:00.200")
            .WithSetting("SplitCcp:Sandbox:FleetStart", "00:00:00.300")
            .WithSetting("SplitCcp:Reconciliation:PollInitialInterval", "00:00:00.050")
            .WithSetting("SplitCcp:Reconciliation:PollMaxInterval", "00:00:00.200");

    /// <summary>Runs the app in another environment than Development, such as Production; call before the app starts.</summary>
    public SplitCcpWebFactory WithEnvironment(string environment)
    {
        _environment = environment;
        return this;
    }

    /// <summary>Replaces services before the app starts, such as the clock.</summary>
    public SplitCcpWebFactory WithServices(Action<IServiceCollection> configure)
    {
        _configureServices += configure;
        return this;
    }

    /// <summary>
    /// Every request comes from <paramref name="address"/>, as from a client on the network: the in-memory test server has no
    /// connection, so no address, of its own.
    /// </summary>
    public SplitCcpWebFactory WithClientAddress(string address) =>
        WithServices(services => services.AddSingleton<IStartupFilter>(new ClientAddress(IPAddress.Parse(address))));

    /// <summary>The app's base address once <see cref="StartKestrel"/> has run.</summary>
    public Uri ServerAddress => ClientOptions.BaseAddress;

    /// <summary>Serves the app on a free loopback port, for a real browser.</summary>
    public SplitCcpWebFactory StartKestrel()
    {
        _kestrel = true;
        UseKestrel(0);
        StartServer();
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_kestrel)
        {
            builder.UseUrls("http://127.0.0.1:0");
        }

        if (_configureServices is { } configure)
        {
            builder.ConfigureServices(configure);
        }
    }

    public HttpClient CreateApiClient(string? token)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = ClientOptions.BaseAddress });
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>A cookie-carrying client signed in through the real sign-in form.</summary>
    public async Task<HttpClient> CreateSignedInClientAsync(string email, string password)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = ClientOptions.BaseAddress });
        var response = await SubmitLoginAsync(client, email, password);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in of {email} failed with {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return client;
    }

    public static async Task<HttpResponseMessage> SubmitLoginAsync(HttpClient client, string email, string password)
    {
        var form = await client.GetStringAsync("/account/login");
        var fields = HiddenInputs(form);
        fields["Input.Email"] = email;
        fields["Input.Password"] = password;
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(fields));
    }

    public static Dictionary<string, string> HiddenInputs(string html) =>
        HiddenInput().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));

    public ClaimsPrincipal Operator()
    {
        using var scope = Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>();
        var admin = users.FindByEmailAsync(AdminEmail).GetAwaiter().GetResult()
            ?? throw new InvalidOperationException("The bootstrap admin was not created.");
        return Principal(admin.Id, Roles.MspOperator);
    }

    /// <summary>The tenant as the route guard hands it to the services for <paramref name="user"/>; null outside their scope.</summary>
    public async Task<AuthorizedTenant?> TenantAsync(ClaimsPrincipal user, Guid tenantId) =>
        (await Services.GetRequiredService<ITenantAccess>().CheckAsync(user, tenantId, TenantOperation.Read)).Tenant;

    public static ClaimsPrincipal Principal(string userId, string role) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId), new Claim(ClaimTypes.Role, role)], "test"));

    public Task<TenantView> CreateTenantAsync(string displayName, string slug) => CreateTenantAsync(new TenantInput
    {
        DisplayName = displayName,
        Slug = slug,
        Region = "eu-west-2",
        AccessMode = nameof(AwsAccessMode.Sandbox),
    });

    public async Task<TenantView> CreateTenantAsync(TenantInput input)
    {
        var result = await Services.GetRequiredService<TenantService>().CreateAsync(Operator(), input);
        return result is TenantSaveResult.Saved saved ? saved.Tenant : throw new InvalidOperationException($"Could not create tenant: {result}");
    }

    /// <summary>Creates a user with a password and a token; returns both so tests can use cookies or bearer auth.</summary>
    public async Task<TestUser> CreateUserAsync(string email, string role, params Guid[] tenantIds)
    {
        const string password = "Test-User-Passw0rd";
        var result = await Services.GetRequiredService<UserDirectory>().CreateAsync(Operator(), new UserInput
        {
            Email = email,
            Password = password,
            Role = role,
            TenantIds = tenantIds,
        });
        var user = result is UserSaveResult.Saved saved ? saved.User : throw new InvalidOperationException($"Could not create user: {result}");
        var tokens = Services.GetRequiredService<ApiTokenService>();
        var token = await tokens.IssueAsync(user.Id, "tests", readOnly: false);
        var readOnlyToken = await tokens.IssueAsync(user.Id, "tests-read-only", readOnly: true);
        return new TestUser(user.Id, email, password, role, token.Token, readOnlyToken.Token);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        _database.Drop();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finishing request; the temp folder is cleaned by the OS.
        }
    }

    private sealed class ClientAddress(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, rest) =>
            {
                context.Connection.RemoteIpAddress = address;
                return rest(context);
            });
            next(app);
        };
    }

    [GeneratedRegex("""<input[^>]*type="hidden"[^>]*name="(?<name>[^"]+)"[^>]*value="(?<value>[^"]*)"[^>]*>""")]
    private static partial Regex HiddenInput();
}

public sealed record TestUser(string Id, string Email, string Password, string Role, string Token, string ReadOnlyToken);
