using System.Security.Claims;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using SplitCcp.Core;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core;

/// <summary>
/// Core as the app runs it: a real SQLite file in a temp folder, or a database of its own on a real PostgreSQL server,
/// migrated and seeded with roles by the hosted DatabaseInitializer, with a <see cref="FakeTimeProvider"/> in place of the clock.
/// </summary>
internal sealed class CoreTestHost : IAsyncDisposable
{
    /// <summary>Satisfies the Identity password rules (12+ characters, upper, lower, digit).</summary>
    public const string Password = "Correct-Horse-42";

    public static readonly DateTimeOffset StartTime = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private IHost _host;
    private IReadOnlyDictionary<string, string?>? _settings;
    private bool _realTime;
    private Action<IServiceCollection>? _configureServices;
    private readonly string _folder;
    private readonly TestDatabase _database;
    private readonly bool _ownsDatabase;
    private int _userNumber;

    private CoreTestHost(IHost host, string folder, TestDatabase database, FakeTimeProvider time, bool ownsDatabase = true)
    {
        _host = host;
        _folder = folder;
        _database = database;
        _ownsDatabase = ownsDatabase;
        Time = time;
    }

    /// <summary>A caller that <see cref="UserDirectory"/> accepts as an MSP operator; it has no row in the database (see <see cref="DirectoryOperatorAccess"/>).</summary>
    public static ClaimsPrincipal DirectoryOperator { get; } = PrincipalFor("directory-operator", Roles.MspOperator);

    public FakeTimeProvider Time { get; }

    public string ConnectionString => _database.ConnectionString;

    /// <summary>The engine the host runs on.</summary>
    public StorageProvider Provider => _database.Provider;

    /// <summary>The test's own temp folder, removed with the host.</summary>
    public string Folder => _folder;

    public IServiceProvider Services => _host.Services;

    public TenantService Tenants => Services.GetRequiredService<TenantService>();

    public ITenantAccess Access => Services.GetRequiredService<ITenantAccess>();

    public ApiTokenService ApiTokens => Services.GetRequiredService<ApiTokenService>();

    public UserDirectory Users => Services.GetRequiredService<UserDirectory>();

    /// <param name="settings">Extra configuration, such as SplitCcp:Bootstrap:* keys.</param>
    /// <param name="realTime">Run on the system clock instead of <see cref="Time"/>: for the apply engine, whose waits are real.</param>
    /// <param name="configureServices">Changes to the services after Core's, such as a fault to inject.</param>
    /// <param name="provider">The database engine; PostgreSQL runs on the test run's <see cref="PostgreSqlServer"/>.</param>
    public static async Task<CoreTestHost> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null, bool realTime = false, Action<IServiceCollection>? configureServices = null,
        StorageProvider provider = StorageProvider.Sqlite)
    {
        var folder = Path.Combine(Path.GetTempPath(), "splitccp-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var time = new FakeTimeProvider(StartTime);
        TestDatabase database;
        IHost host;
        try
        {
            database = TestDatabase.Create(provider, folder);
            try
            {
                host = Build(folder, database, settings, realTime, time, configureServices);
            }
            catch
            {
                database.Drop();
                throw;
            }
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }

        var testHost = new CoreTestHost(host, folder, database, time) { _settings = settings, _realTime = realTime, _configureServices = configureServices };
        try
        {
            await host.StartAsync();
        }
        catch
        {
            await testHost.DisposeAsync();
            throw;
        }

        return testHost;
    }

    /// <summary>
    /// A second portal on this host's PostgreSQL database, as another replica: a folder and a fake clock of its own (at
    /// <see cref="StartTime"/>), configured like this host unless <paramref name="settings"/> say otherwise. The database
    /// stays until this host is disposed.
    /// </summary>
    public async Task<CoreTestHost> StartReplicaAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        Provider.ShouldBe(StorageProvider.PostgreSql, "replicas share a PostgreSQL database; a SQLite file has one portal");
        var folder = Path.Combine(Path.GetTempPath(), "splitccp-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var time = new FakeTimeProvider(StartTime);
        var merged = new Dictionary<string, string?>(_settings ?? new Dictionary<string, string?>());
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }

        var replica = new CoreTestHost(Build(folder, _database, merged, _realTime, time, _configureServices), folder, _database, time, ownsDatabase: false)
        {
            _settings = merged, _realTime = _realTime, _configureServices = _configureServices,
        };
        try
        {
            await replica._host.StartAsync();
        }
        catch
        {
            await replica.DisposeAsync();
            throw;
        }

        return replica;
    }

    /// <summary>
    /// Stops the host the way a killed process stops (no graceful hand-over of running work) and starts a new one on the
    /// same database file, as the next start of the portal would; with <paramref name="settings"/>, configured differently.
    /// </summary>
    public async Task RestartAsync(Action<IServiceProvider>? beforeStart = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _settings = settings ?? _settings;
        using (var stopping = new CancellationTokenSource(TimeSpan.Zero))
        {
            await _host.StopAsync(stopping.Token);
        }

        _host.Dispose();
        _host = Build(_folder, _database, _settings, _realTime, Time, _configureServices);
        beforeStart?.Invoke(_host.Services);
        await _host.StartAsync();
    }

    private static IHost Build(
        string folder, TestDatabase database, IReadOnlyDictionary<string, string?>? settings, bool realTime, FakeTimeProvider time, Action<IServiceCollection>? configureServices)
    {
        // No default sources: a SplitCcp__Bootstrap__* variable on the machine must not seed users into the test database.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = folder,
            EnvironmentName = "Test",
        });
        builder.Configuration.AddInMemoryCollection(database.Settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Scheduled drift passes would check tenants behind a test's back; the drift tests switch them on.
            ["SplitCcp:Drift:Enabled"] = "false",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        // ValidateOnBuild: Core's services resolve without the web app's (sign-in, authentication, HTTP).
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }));
        builder.Services.AddSingleton<TimeProvider>(realTime ? TimeProvider.System : time);
        builder.AddSplitCcpCore();
        builder.Services.AddSingleton<ITenantAccess>(sp => new DirectoryOperatorAccess(ActivatorUtilities.CreateInstance<TenantAccess>(sp)));
        configureServices?.Invoke(builder.Services);
        return builder.Build();
    }

    public static ClaimsPrincipal PrincipalFor(string userId, string role, bool readOnly = false)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, userId),
            new(ClaimTypes.Name, userId),
            new(ClaimTypes.Role, role),
        };
        if (readOnly)
        {
            claims.Add(new Claim(SplitCcpClaims.ReadOnly, "true"));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType: "Test"));
    }

    /// <summary>
    /// The tenant as a request's edge hands it to the services: checked once, for reading (as a tenant page checks), with
    /// what <paramref name="user"/> may do to it. A tenant outside their scope fails the test: assert that on the check itself.
    /// </summary>
    public async Task<AuthorizedTenant> TenantAsync(ClaimsPrincipal user, Guid tenantId) =>
        (await Access.CheckAsync(user, tenantId, TenantOperation.Read)).Tenant
        ?? throw new ShouldAssertException($"Tenant {tenantId} is outside the scope of {user.Identity?.Name}.");

    /// <summary>The caller's scope as a list page or endpoint reads it once.</summary>
    public Task<TenantScope> ScopeAsync(ClaimsPrincipal user) => Access.GetScopeAsync(user);

    /// <summary>Creates a user through <see cref="UserDirectory"/>, as an operator would.</summary>
    public async Task<TestUser> CreateUserAsync(string role, params Guid[] tenantIds)
    {
        var number = Interlocked.Increment(ref _userNumber);
        var result = await Users.CreateAsync(DirectoryOperator, new UserInput
        {
            Email = $"{role.ToLowerInvariant()}{number}@example.com",
            DisplayName = $"{role} {number}",
            Password = Password,
            Role = role,
            TenantIds = tenantIds,
        });
        var saved = result.ShouldBeOfType<UserSaveResult.Saved>();
        return new TestUser(saved.User, PrincipalFor(saved.User.Id, role));
    }

    public Task<TestUser> CreateOperatorAsync() => CreateUserAsync(Roles.MspOperator);

    public async Task DisableAsync(TestUser user)
    {
        var result = await Users.UpdateAsync(DirectoryOperator, user.Id, new UserInput
        {
            Email = user.View.Email,
            Role = user.View.Role,
            TenantIds = user.View.TenantIds,
            IsDisabled = true,
        });
        result.ShouldBeOfType<UserSaveResult.Saved>().User.IsDisabled.ShouldBeTrue();
    }

    public static TenantInput SandboxInput(string slug, string? displayName = null) => new()
    {
        DisplayName = displayName ?? $"Tenant {slug}",
        Slug = slug,
        Region = "eu-west-2",
        AccessMode = nameof(AwsAccessMode.Sandbox),
    };

    public async Task<TenantView> CreateTenantAsync(ClaimsPrincipal caller, TenantInput input)
    {
        var result = await Tenants.CreateAsync(caller, input);
        return result.ShouldBeOfType<TenantSaveResult.Saved>().Tenant;
    }

    public Task<TenantView> CreateTenantAsync(ClaimsPrincipal caller, string slug, string? displayName = null) =>
        CreateTenantAsync(caller, SandboxInput(slug, displayName));

    /// <inheritdoc cref="TestDatabase.QueryScalarAsync"/>
    public Task<object?> QueryScalarAsync(string sql, params (string Name, object Value)[] parameters) => _database.QueryScalarAsync(sql, parameters);

    /// <inheritdoc cref="TestDatabase.FilesContain"/>
    public bool DatabaseFilesContain(string text) => _database.FilesContain(text);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync();
        }
        finally
        {
            if (_host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                _host.Dispose();
            }

            if (_ownsDatabase)
            {
                _database.Drop();
            }

            Directory.Delete(_folder, recursive: true);
        }
    }
}

internal sealed record TestUser(UserView View, ClaimsPrincipal Principal)
{
    public string Id => View.Id;

    /// <summary>The same user as seen through a read-only API token.</summary>
    public ClaimsPrincipal ReadOnlyPrincipal => CoreTestHost.PrincipalFor(View.Id, View.Role, readOnly: true);
}

/// <summary>
/// Access as the portal decides it, except that <see cref="CoreTestHost.DirectoryOperator"/> is an MSP operator without a row in the
/// database, so tests can set users up while counting only the users they made.
/// </summary>
internal sealed class DirectoryOperatorAccess(ITenantAccess inner) : ITenantAccess
{
    private static readonly TenantScope s_operator = new("directory-operator", true, new HashSet<Guid>(), true, true);

    public Task<TenantScope> GetScopeAsync(ClaimsPrincipal user, CancellationToken ct = default) =>
        IsDirectoryOperator(user) ? Task.FromResult(s_operator) : inner.GetScopeAsync(user, ct);

    public Task<TenantAccessCheck> CheckAsync(ClaimsPrincipal user, Guid tenantId, TenantOperation permission, CancellationToken ct = default) =>
        inner.CheckAsync(user, tenantId, permission, ct);

    private static bool IsDirectoryOperator(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) == "directory-operator";
}
