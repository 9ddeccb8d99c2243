using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Security;

/// <summary>
/// Creates the roles, the first MSP operator and registers the bootstrap API token from SplitCcp__Bootstrap__* settings,
/// once the database is up to date.
/// </summary>
public sealed partial class Bootstrapper(
    UserDirectory directory,
    ApiTokenService tokens,
    UserManager<AppUser> users,
    RoleManager<IdentityRole> roles,
    IOptions<BootstrapOptions> options,
    ILogger<Bootstrapper> logger) : IDatabaseSeed
{
    /// <summary>Who the identity activity says created the bootstrap admin and registered the bootstrap token.</summary>
    public static IdentityActor Actor { get; } = IdentityActor.Portal("bootstrap settings");

    public async Task SeedAsync(CancellationToken ct)
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        await RunAsync(ct);
    }

    public async Task RunAsync(CancellationToken ct = default)
    {
        var settings = options.Value;
        if (!string.IsNullOrWhiteSpace(settings.AdminEmail) && !string.IsNullOrEmpty(settings.AdminPassword))
        {
            switch (await directory.CreateFirstOperatorAsync(settings.AdminEmail, settings.AdminPassword, Actor, ct))
            {
                case UserSaveResult.Saved saved:
                    LogBootstrapAdminCreated(logger, saved.User.Email);
                    break;
                case UserSaveResult.Invalid invalid:
                    throw new InvalidOperationException(
                        "SplitCcp__Bootstrap__AdminEmail and SplitCcp__Bootstrap__AdminPassword were refused: " +
                        string.Join(" ", invalid.Errors.SelectMany(e => e.Value)));
            }
        }

        await RegisterApiTokenAsync(ct);
    }

    /// <summary>Registers SplitCcp__Bootstrap__ApiToken for the bootstrap admin (or the first MSP operator), once.</summary>
    public async Task RegisterApiTokenAsync(CancellationToken ct = default)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.ApiToken))
        {
            return;
        }

        if (!settings.ApiToken.StartsWith(ApiTokenService.TokenPrefix, StringComparison.Ordinal) || settings.ApiToken.Length < 32)
        {
            throw new InvalidOperationException($"SplitCcp__Bootstrap__ApiToken must start with '{ApiTokenService.TokenPrefix}' and be at least 32 characters long.");
        }

        var admin = string.IsNullOrWhiteSpace(settings.AdminEmail) ? null : await users.FindByEmailAsync(settings.AdminEmail);
        admin ??= (await users.GetUsersInRoleAsync(Roles.MspOperator)).OrderBy(u => u.CreatedAt).FirstOrDefault();
        if (admin is null)
        {
            LogBootstrapTokenWithoutAdmin(logger);
            return;
        }

        await tokens.RegisterExactAsync(admin.Id, "bootstrap", settings.ApiToken, ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the bootstrap MSP operator {Email}.")]
    private static partial void LogBootstrapAdminCreated(ILogger logger, string email);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SplitCcp__Bootstrap__ApiToken is set but no MSP operator exists yet; it is registered once the first one is created.")]
    private static partial void LogBootstrapTokenWithoutAdmin(ILogger logger);
}
