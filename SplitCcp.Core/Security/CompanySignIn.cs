using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Security;

/// <summary>What the company provider said about the person signing in, once their sign-in there checked out.</summary>
/// <param name="Provider">The sign-in scheme, as the external login is stored.</param>
/// <param name="Subject">The provider's <c>sub</c>: who they are there, for good.</param>
/// <param name="RoleValues">The values of <see cref="OidcOptions.RoleClaim"/>.</param>
public sealed record CompanyLogin(string Provider, string Subject, string? Email, bool EmailVerified, IReadOnlyList<string> RoleValues, string? RemoteAddress);

/// <summary>How a company sign-in ended: the portal user to sign in, or why not, in words for the person.</summary>
public abstract record CompanySignInResult
{
    private CompanySignInResult()
    {
    }

    public sealed record Succeeded(string UserId) : CompanySignInResult;

    public sealed record Refused(string Reason) : CompanySignInResult;
}

/// <summary>
/// Signs in a person the company provider vouched for: finds the portal user by the external login (provider and
/// <c>sub</c>), or joins the account of the same e-mail when the provider verified that address, or creates one. At every
/// sign-in the user's role and tenants are set from the claims, since the provider is the source of truth: a group
/// removed there removes the access here. Each outcome and change is in the identity activity.
/// </summary>
public sealed class CompanySignIn(
    IDbContextFactory<SplitCcpDbContext> dbFactory, IExistingTenants tenants, UserDirectory directory, IdentityAudit audit, IOptions<OidcOptions> options, TimeProvider time)
{
    private string Provider => options.Value.DisplayName;

    public async Task<CompanySignInResult> SignInAsync(CompanyLogin login, CancellationToken ct = default)
    {
        var role = CompanyRoles.Map(options.Value, login.RoleValues);
        var tenantIds = await tenants.IdsBySlugAsync(role.TenantSlugs, ct);
        var anonymous = new IdentityActor(null, login.Email ?? login.Subject, login.RemoteAddress);

        // Read first and write only what changed: a sign-in that changes nothing neither waits for the write gate nor fails
        // on a database that cannot be written.
        var account = await LinkedAccountAsync(login, ct);
        if (account is null)
        {
            if (await directory.InTransactionAsync<Refusal>((db, users, token) => LinkOrCreateAsync(db, users, login, role, tenantIds, anonymous, token), ct) is { } refusal)
            {
                return await RefuseAsync(anonymous, refusal, ct);
            }

            account = await LinkedAccountAsync(login, ct) ?? throw new InvalidOperationException($"The {Provider} login of {login.Subject} was saved but is not found.");
        }

        var actor = anonymous with { UserId = account.Id, Name = account.Email ?? anonymous.Name };
        if (account.IsDisabled)
        {
            return await RefuseAsync(actor, new Refusal("Refused: the account is disabled.", "This account is disabled. Ask an MSP operator to enable it.", account), ct);
        }

        await directory.SetCompanyAccessAsync(account.Id, role.Role, tenantIds, actor, $" by {Provider}'s {options.Value.RoleClaim}", ct);
        if (role.Role is null)
        {
            return await RefuseAsync(actor, NoRole(account), ct);
        }

        await audit.RecordSignInAsync([audit.Entry(IdentityEventKind.SignInSucceeded, actor, account.Id, account.Email, $"Signed in with {Provider}.")], ct);
        return new CompanySignInResult.Succeeded(account.Id);
    }

    private async Task<AppUser?> LinkedAccountAsync(CompanyLogin login, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking()
            .SingleOrDefaultAsync(u => db.UserLogins.Any(l => l.UserId == u.Id && l.LoginProvider == login.Provider && l.ProviderKey == login.Subject), ct);
    }

    /// <summary>Links the login to the account of the same verified e-mail, else to a new one; or says why not.</summary>
    private async Task<Refusal?> LinkOrCreateAsync(
        SplitCcpDbContext db, UserManager<AppUser> users, CompanyLogin login, CompanyRole role, IReadOnlyList<Guid> tenantIds, IdentityActor actor, CancellationToken ct)
    {
        // A first sign-in in another tab may have linked it since it was looked for.
        if (await users.FindByLoginAsync(login.Provider, login.Subject) is not null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(login.Email) || !System.Net.Mail.MailAddress.TryCreate(login.Email, out var parsed) || parsed.Address != login.Email)
        {
            return new Refusal($"Refused: {Provider} sent no e-mail address.",
                $"{Provider} did not send your e-mail address, which SplitCcp needs to know you. Ask your administrator to release the email claim to SplitCcp.", null);
        }

        var info = new UserLoginInfo(login.Provider, login.Subject, Provider);
        if (await users.FindByEmailAsync(login.Email) is { } existing)
        {
            if (!login.EmailVerified)
            {
                return new Refusal($"Refused: {Provider} has not verified the address, so it was not joined to the account of the same e-mail.",
                    $"SplitCcp already has an account for {login.Email}, but {Provider} has not verified that this address is yours, so the two are not joined. " +
                    $"Ask your administrator to verify the address at {Provider}.", existing);
            }

            await RequireAsync(users.AddLoginAsync(existing, info));
            return null;
        }

        if (role.Role is null)
        {
            return NoRole(null);
        }

        var user = new AppUser { UserName = login.Email, Email = login.Email, EmailConfirmed = login.EmailVerified, CreatedAt = time.GetUtcNow().UtcDateTime };
        await RequireAsync(users.CreateAsync(user));
        await RequireAsync(users.AddLoginAsync(user, info));
        await directory.GrantCreatedAsync(db, users, user, role.Role, tenantIds, actor with { UserId = user.Id }, $" at the first sign-in with {Provider}", "", ct);
        return null;
    }

    private Refusal NoRole(AppUser? user) => new(
        $"Refused: {Provider}'s {options.Value.RoleClaim} give no role here.",
        $"Your {Provider} account has no access to SplitCcp: none of its {options.Value.RoleClaim} gives a role here. Ask your administrator for access.", user);

    /// <summary>Records a refusal on its own: the change it refused was rolled back, or never made.</summary>
    private async Task<CompanySignInResult> RefuseAsync(IdentityActor actor, Refusal refusal, CancellationToken ct)
    {
        await audit.RecordSignInAsync([audit.Entry(IdentityEventKind.SignInFailed, actor, refusal.User?.Id, refusal.User?.Email, refusal.Summary)], ct);
        return new CompanySignInResult.Refused(refusal.Reason);
    }

    private static async Task RequireAsync(Task<IdentityResult> change)
    {
        var result = await change;
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"The account could not be saved: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
    }

    /// <param name="Summary">What the identity activity says.</param>
    /// <param name="Reason">What the person is told.</param>
    /// <param name="User">The account the refusal concerns, when there is one.</param>
    private sealed record Refusal(string Summary, string Reason, AppUser? User);
}
