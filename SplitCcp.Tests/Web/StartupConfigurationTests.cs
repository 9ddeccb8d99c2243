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
