using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web;

/// <summary>
/// A misconfigured portal, or one started on a data folder another portal owns, started as a process: it says what to do in
/// one line and stops before writing anything.
/// </summary>
public sealed class StartupConfigurationTests
{
    [Fact]
    public async Task Production_WithoutKeyProtection_ExitsNonZeroWithOneLineAndWritesNothing()
    {
        var exit = await PortalProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["SplitCcp__DataProtection__KeyFile"] = "",
            ["ASPNETCORE_URLS"] = PortalProcess.Url(PortalProcess.FreePort()),
        });

        exit.ExitCode.ShouldNotBe(0, string.Join('\n', exit.Lines));
        var line = exit.Lines.ShouldHaveSingleItem();
        line.ShouldContain("SplitCcp:DataProtection:KeyFile");
        line.ShouldContain("SplitCcp:DataProtection:AllowUnprotectedKeys");
        exit.DataDirectoryCreated.ShouldBeFalse("nothing may be written before the keys are protected");
    }

    [Fact]
    public async Task ScraperTokenTooShort_ExitsNonZeroNamingTheSetting()
    {
        var exit = await PortalProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["SplitCcp__Metrics__Token"] = "short",
            ["ASPNETCORE_URLS"] = PortalProcess.Url(PortalProcess.FreePort()),
        });

        exit.ExitCode.ShouldNotBe(0, string.Join('\n', exit.Lines));
        exit.Lines.ShouldHaveSingleItem().ShouldContain("SplitCcp:Metrics:Token must be at least 16 characters");
    }

    [Fact]
    public async Task LocalSignInOffWithoutCompanySignIn_ExitsNonZeroSayingNobodyCouldSignIn()
    {
        var exit = await PortalProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["SplitCcp__Accounts__LocalSignIn"] = "false",
            ["ASPNETCORE_URLS"] = PortalProcess.Url(PortalProcess.FreePort()),
        });

        exit.ExitCode.ShouldNotBe(0, string.Join('\n', exit.Lines));
        exit.Lines.ShouldHaveSingleItem().ShouldContain("SplitCcp:Accounts:LocalSignIn is false but no company sign-in is configured");
    }

    [Fact]
    public async Task CompanySignInOverPlainHttpElsewhere_ExitsNonZeroNamingTheAuthority()
    {
        var exit = await PortalProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["SplitCcp__Oidc__Authority"] = "http://login.contoso.example",
            ["SplitCcp__Oidc__ClientId"] = "splitccp",
            ["SplitCcp__Oidc__ClientSecret"] = "do-not-print-this-secret",
            ["SplitCcp__Oidc__OperatorValues__0"] = "splitccp-operators",
            ["ASPNETCORE_URLS"] = PortalProcess.Url(PortalProcess.FreePort()),
        });

        exit.ExitCode.ShouldNotBe(0, string.Join('\n', exit.Lines));
        var line = exit.Lines.ShouldHaveSingleItem();
        line.ShouldContain("SplitCcp:Oidc:Authority must be the provider's https:// address");
        line.ShouldNotContain("do-not-print-this-secret");
    }

    [Fact]
    public async Task MailHostWithoutSenderAndPortalUrl_ExitsNonZeroNamingThem()
    {
        var exit = await PortalProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["SplitCcp__Mail__Host"] = "smtp.msp.example",
            ["ASPNETCORE_URLS"] = PortalProcess.Url(PortalProcess.FreePort()),
        });

        exit.ExitCode.ShouldNotBe(0, string.Join('\n', exit.Lines));
        var line = exit.Lines.ShouldHaveSingleItem();
        line.ShouldContain("SplitCcp:Mail:From must be the sender's address");
        line.ShouldContain("SplitCcp:PortalUrl must be the portal's address");
    }

    [Theory]
    [InlineData("MySql", "SplitCcp:Storage:Provider must be Sqlite or PostgreSql, not 'MySql'.")]
    [InlineData("PostgreSql", "SplitCcp:Storage:Provider PostgreSql needs SplitCcp:Storage:ConnectionString")]
    public async Task StorageProviderUnknownOrWithoutServer_ExitsNonZeroWithOneLineAndWritesNothing(string provider, string expected)
    {
        var exit = await PortalProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["SplitCcp__Storage__Provider"] = provider,
            ["ASPNETCORE_URLS"] = PortalProcess.Url(PortalProcess.FreePort()),
        });

        exit.ExitCode.ShouldNotBe(0, string.Join('\n', exit.Lines));
        exit.Lines.ShouldHaveSingleItem().ShouldContain(expected);
        exit.DataDirectoryCreated.ShouldBeFalse();
    }

    [Fact]
    public async Task BootstrapApiTokenMalformed_ExitsNonZeroWithOneLineBeforeTheOperatorIsCreated()
    {
        var exit = await PortalProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["SplitCcp__Bootstrap__AdminEmail"] = "admin@example.com",
            ["SplitCcp__Bootstrap__AdminPassword"] = "Correct-Horse-Battery-1",
            ["SplitCcp__Bootstrap__ApiToken"] = "not-a-token",
            ["ASPNETCORE_URLS"] = PortalProcess.Url(PortalProcess.FreePort()),
        });

        exit.ExitCode.ShouldNotBe(0, string.Join('\n', exit.Lines));
        exit.Lines.ShouldHaveSingleItem().ShouldContain("SplitCcp:Bootstrap:ApiToken must start with 'sccp_'");
        exit.DataDirectoryCreated.ShouldBeFalse("the operator must not be created before the token is found wrong");
    }

    [Fact]
    public async Task DamagedDatabase_ExitsNonZeroWithOneLinePointingAtTheBackupAdvice()
    {
        var folder = Path.Combine(Path.GetTempPath(), "splitccp-tests", Guid.NewGuid().ToString("N"), "data");
        Directory.CreateDirectory(folder);
        var database = Path.Combine(folder, "splitccp.db");
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT); "
                + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO filler SELECT i, printf('%0100d', i) FROM n;";
            await create.ExecuteNonQueryAsync();
        }

        // One damaged page in the middle of the table, as a failing disk or an interrupted copy leaves it.
        await using (var file = new FileStream(database, FileMode.Open, FileAccess.Write))
        {
            file.Seek(4096 * 5, SeekOrigin.Begin);
            await file.WriteAsync(Enumerable.Repeat((byte)0xA5, 4096).ToArray());
        }

        var exit = await PortalProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["SplitCcp__Storage__DataDirectory"] = folder,
            ["ASPNETCORE_URLS"] = PortalProcess.Url(PortalProcess.FreePort()),
        });

        exit.ExitCode.ShouldNotBe(0, string.Join('\n', exit.Lines));
        var line = exit.Lines.ShouldHaveSingleItem();
        line.ShouldContain("is damaged");
        line.ShouldContain("restore the data folder from a backup");
    }

    [Fact]
    public async Task Production_UnprotectedKeysExplicitlyAllowed_Starts()
    {
        var port = PortalProcess.FreePort();
        await using var portal = await PortalProcess.StartAsync(new Dictionary<string, string>
        {
            ["SplitCcp__DataProtection__KeyFile"] = "",
            ["SplitCcp__DataProtection__AllowUnprotectedKeys"] = "true",
            ["ASPNETCORE_URLS"] = PortalProcess.Url(port),
        }, new Uri(PortalProcess.Url(port, "/healthz/ready")));

        using var http = new HttpClient();
        (await http.GetAsync(PortalProcess.Url(port, "/account/login"))).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, portal.Output);
    }

    [Fact]
    public async Task SecondPortal_SameDataFolder_ExitsNonZeroWithOneLineWhileTheFirstKeepsRunning()
    {
        using var installation = new Installation();
        var port = PortalProcess.FreePort();
        await using var first = await PortalProcess.StartAsync(installation.Environment(port), new Uri(PortalProcess.Url(port, "/healthz/ready")));
        var database = installation.DatabaseFiles();

        var clock = Stopwatch.StartNew();
        var exit = await PortalProcess.RunToExitAsync(installation.Environment(PortalProcess.FreePort()));

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30));
        exit.ExitCode.ShouldNotBe(0, string.Join('\n', exit.Lines));
        var line = exit.Lines.ShouldHaveSingleItem();
        line.ShouldContain($"The data folder {installation.DataDirectory} is in use by another portal process");
        line.ShouldContain("Stop the other portal");
        line.ShouldContain("SplitCcp:Storage:DataDirectory");
        installation.DatabaseFiles().ShouldBe(database, "the second portal must not write to the first one's database");
        using var http = new HttpClient();
        (await http.GetAsync(PortalProcess.Url(port, "/healthz"))).StatusCode.ShouldBe(HttpStatusCode.OK, first.Output);
    }

    [Fact]
    public async Task PortalKilled_NextStartOnTheSameDataFolder_Starts()
    {
        using var installation = new Installation();
        var port = PortalProcess.FreePort();
        var killed = await PortalProcess.StartAsync(installation.Environment(port), new Uri(PortalProcess.Url(port, "/healthz/ready")));

        // Disposing kills the process with SIGKILL: nothing of the portal runs to let go of its lock, and the lock file stays.
        await killed.DisposeAsync();
        File.Exists(Path.Combine(installation.DataDirectory, "splitccp.lock")).ShouldBeTrue();

        var clock = Stopwatch.StartNew();
        await using var next = await PortalProcess.StartAsync(installation.Environment(port), new Uri(PortalProcess.Url(port, "/healthz/ready")));

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), next.Output);
        using var http = new HttpClient();
        (await http.GetAsync(PortalProcess.Url(port, "/account/login"))).StatusCode.ShouldBe(HttpStatusCode.OK, next.Output);
    }

    /// <summary>A data folder and its key file, of the test's own, so that neither portal removes them with its temp folder.</summary>
    private sealed class Installation : IDisposable
    {
        private static readonly string[] s_databaseFiles = ["splitccp.db", "splitccp.db-wal"];
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "splitccp-tests", Guid.NewGuid().ToString("N"));

        public Installation()
        {
            Directory.CreateDirectory(_folder);
            File.WriteAllText(KeyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        public string DataDirectory => Path.Combine(_folder, "data");

        private string KeyFile => Path.Combine(_folder, "dataprotection.key");

        public Dictionary<string, string> Environment(int port) => new()
        {
            ["SplitCcp__Storage__DataDirectory"] = DataDirectory,
            ["SplitCcp__DataProtection__KeyFile"] = KeyFile,
            ["ASPNETCORE_URLS"] = PortalProcess.Url(port),
        };

        /// <summary>The database and its write-ahead log by SHA-256 (not the -shm index, which readers change too).</summary>
        public Dictionary<string, string> DatabaseFiles() =>
            s_databaseFiles.Select(name => Path.Combine(DataDirectory, name)).Where(File.Exists).ToDictionary(path => path, path =>
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                return Convert.ToHexString(SHA256.HashData(stream));
            });

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }
}
