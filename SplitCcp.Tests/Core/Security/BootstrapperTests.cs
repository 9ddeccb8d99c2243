using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Security;

namespace SplitCcp.Tests.Core.Security;

public sealed class BootstrapperTests
{
    private const string BootstrapToken = "sccp_bootstrap-0123456789abcdefghijklmnop";

    [Fact]
    public async Task StartAsync_AdminAndTokenConfigured_CreatesOperatorAndRegistersToken()
    {
        await using var host = await CoreTestHost.StartAsync(Settings("admin@example.com", CoreTestHost.Password, BootstrapToken));

        var admin = (await host.Users.ListAsync(CoreTestHost.DirectoryOperator)).ShouldHaveSingleItem();
        admin.Email.ShouldBe("admin@example.com");
        admin.Role.ShouldBe(Roles.MspOperator);
        var principal = (await host.ApiTokens.AuthenticateAsync(BootstrapToken, "ApiToken")).Principal;
        principal.ShouldNotBeNull();
        principal.FindFirstValue(ClaimTypes.NameIdentifier).ShouldBe(admin.Id);
        (await host.ApiTokens.ListAsync(admin.Id)).ShouldHaveSingleItem().Name.ShouldBe("bootstrap");
        host.DatabaseFilesContain(BootstrapToken).ShouldBeFalse();
    }

    [Fact]
    public async Task RunAsync_SecondRun_CreatesNoSecondAdminOrToken()
    {
        await using var host = await CoreTestHost.StartAsync(Settings("admin@example.com", CoreTestHost.Password, BootstrapToken));
        await using var scope = host.Services.CreateAsyncScope();

        await scope.ServiceProvider.GetRequiredService<Bootstrapper>().RunAsync();

        var admin = (await host.Users.ListAsync(CoreTestHost.DirectoryOperator)).ShouldHaveSingleItem();
        (await host.ApiTokens.ListAsync(admin.Id)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task StartAsync_WeakAdminPassword_FailsStartupNamingTheSetting()
    {
        var thrown = await Should.ThrowAsync<InvalidOperationException>(() => CoreTestHost.StartAsync(Settings("admin@example.com", "weak", null)));

        thrown.Message.ShouldStartWith("SplitCcp__Bootstrap__AdminEmail and SplitCcp__Bootstrap__AdminPassword were refused:");
    }

    [Theory]
    [InlineData("not-a-sccp-token-0123456789abcdefghijkl")]
    [InlineData("sccp_short")]
    public async Task StartAsync_MalformedBootstrapToken_FailsStartupAsASettingsError(string token)
    {
        var thrown = await Should.ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            CoreTestHost.StartAsync(Settings("admin@example.com", CoreTestHost.Password, token)));

        thrown.Failures.ShouldHaveSingleItem().ShouldContain("SplitCcp:Bootstrap:ApiToken must start with 'sccp_' and be at least 32 characters long.");
    }

    [Fact]
    public async Task StartAsync_TokenWithoutAnyOperator_RegistersNothingUntilOneExists()
    {
        await using var host = await CoreTestHost.StartAsync(Settings(null, null, BootstrapToken));
        (await host.ApiTokens.AuthenticateAsync(BootstrapToken, "ApiToken")).Principal.ShouldBeNull();

        var op = await host.CreateOperatorAsync();
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Bootstrapper>().RegisterApiTokenAsync();

        (await host.ApiTokens.AuthenticateAsync(BootstrapToken, "ApiToken")).Principal!.FindFirstValue(ClaimTypes.NameIdentifier).ShouldBe(op.Id);
    }

    private static Dictionary<string, string?> Settings(string? email, string? password, string? token) => new()
    {
        ["SplitCcp:Bootstrap:AdminEmail"] = email,
        ["SplitCcp:Bootstrap:AdminPassword"] = password,
        ["SplitCcp:Bootstrap:ApiToken"] = token,
    };
}
