using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web;

/// <summary>A misconfigured portal, started as a process: it says what to set in one line and stops before writing anything.</summary>
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
}
