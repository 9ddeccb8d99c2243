using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Security;

/// <param name="IsInvited">Has no password yet: the invitation has not been accepted.</param>
/// <param name="HasMfa">Signs in with an authenticator app code after the password.</param>
public sealed record UserView(
    string Id, string Email, string? DisplayName, string Role, IReadOnlyList<Guid> TenantIds, bool IsDisabled, bool IsLockedOut, DateTime CreatedAt,
    bool IsInvited = false, bool HasMfa = false);

public sealed record UserInput
{
    public string? Email { get; init; }

    public string? DisplayName { get; init; }

    /// <summary>
    /// Creating only, for automation that hands out credentials itself: the account gets this password. Left out, the
    /// account has none and the user is invited to choose one. Ignored on update.
    /// </summary>
    public string? Password { get; init; }

    public string? Role { get; init; }

    public IReadOnlyList<Guid>? TenantIds { get; init; }

    public bool? IsDisabled { get; init; }
}

public abstract record UserSaveResult
{
    private UserSaveResult()
    {
    }

    /// <param name="Invitation">For a user created without a password: the invitation, mailed or to hand over.</param>
    public sealed record Saved(UserView User, PasswordLink? Invitation = null) : UserSaveResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : UserSaveResult;

    public sealed record NotFound : UserSaveResult;
}

/// <summary>
/// The installation's users. Managing them is an MSP operator's job; the first-run setup is the one exception.
/// Each operation takes its own DI scope, so a long-lived Blazor circuit never reuses a stale UserManager, and saves what
/// it changes in one transaction with the identity events that record it.
/// </summary>
public sealed class UserDirectory(
    IServiceScopeFactory scopes, IDbContextFactory<SplitCcpDbContext> dbFactory, TimeProvider time, ITenantAccess access, IExistingTenants tenants,
    IdentityAudit audit, AccountLinks links)
{
    public async Task<bool> AnyUserExistsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.AnyAsync(ct);
    }

    public async Task<IReadOnlyList<UserView>> ListAsync(ClaimsPrincipal caller, CancellationToken ct = default)
    {
        await RequireOperatorAsync(caller, write: false, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var users = await db.Users.AsNoTracking().Include(u => u.Tenants).OrderBy(u => u.Email).ToListAsync(ct);
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name }).ToListAsync(ct);
        var roleByUser = roles.GroupBy(r => r.UserId).ToDictionary(g => g.Key, g => g.First().Name ?? "");
        return users.Select(u => ToView(u, roleByUser.GetValueOrDefault(u.Id, ""))).ToList();
    }

    /// <summary>Whether the user signs in with an authenticator app's code after the password; for their own profile.</summary>
    public async Task<bool> HasMfaAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.AnyAsync(u => u.Id == userId && u.TwoFactorEnabled, ct);
    }

    public async Task<UserView?> GetAsync(ClaimsPrincipal caller, string id, CancellationToken ct = default)
    {
        await RequireOperatorAsync(caller, write: false, ct);
        return await FindViewAsync(id, ct);
    }

    public async Task<UserSaveResult> CreateAsync(ClaimsPrincipal caller, UserInput input, CancellationToken ct = default)
    {
        await RequireOperatorAsync(caller, write: true, ct);
        return await CreateCoreAsync(input, IdentityActor.Of(caller), ct);
    }

    /// <summary>
    /// First run only: creates the first MSP operator while no user exists, recorded as done by <paramref name="actor"/> (the
    /// setup page's visitor, or the bootstrap settings). Returns null when a user already exists.
    /// </summary>
    public async Task<UserSaveResult?> CreateFirstOperatorAsync(string? email, string? password, IdentityActor actor, CancellationToken ct = default)
    {
        if (await AnyUserExistsAsync(ct))
        {
            return null;
        }

        return await CreateCoreAsync(new UserInput { Email = email, Password = password, Role = Roles.MspOperator, DisplayName = "Administrator" }, actor, ct);
    }

    public async Task<UserSaveResult> UpdateAsync(ClaimsPrincipal caller, string id, UserInput input, CancellationToken ct = default)
    {
        await RequireOperatorAsync(caller, write: true, ct);
        var errors = await ValidateAsync(input, ct);
        var isSelf = id == caller.FindFirstValue(ClaimTypes.NameIdentifier);
        if (isSelf && input.IsDisabled == true)
        {
            errors["isDisabled"] = ["You cannot disable your own account."];
        }

        // Otherwise the last operator could demote themselves and leave nobody able to manage users.
        if (isSelf && input.Role is not null && input.Role != Roles.MspOperator)
        {
            errors["role"] = ["You cannot give up your own operator role; ask another MSP operator to change it."];
        }

        if (errors.Count > 0)
        {
            return new UserSaveResult.Invalid(errors);
        }

        var actor = IdentityActor.Of(caller);
        var refused = await InTransactionAsync<UserSaveResult>(async (db, users, token) =>
        {
            var user = await users.FindByIdAsync(id);
            if (user is null)
            {
                return new UserSaveResult.NotFound();
            }

            var was = new Account((await users.GetRolesAsync(user)).FirstOrDefault() ?? "", await TenantIdsAsync(db, id, token), user.IsDisabled);
            user.DisplayName = Blank(input.DisplayName);
            if (input.IsDisabled is { } disabled)
            {
                user.IsDisabled = disabled;
            }

            var emailChanged = !string.Equals(user.Email, input.Email, StringComparison.OrdinalIgnoreCase);
            if (emailChanged)
            {
                user.Email = input.Email;
                user.UserName = input.Email;
            }

            var result = await users.UpdateAsync(user);
            if (!result.Succeeded)
            {
                return new UserSaveResult.Invalid(IdentityErrors(result, "email"));
            }

            var now = new Account(input.Role!, TenantIdsFor(input), user.IsDisabled);
            await SetRoleAsync(users, user, now.Role);
            await SetTenantsAsync(db, user.Id, now.TenantIds, token);

            // A new stamp ends the user's existing sign-in sessions, so a role or tenant change cannot be outrun.
            await users.UpdateSecurityStampAsync(user);
            db.IdentityEvents.AddRange(await ChangeEventsAsync(actor, user, was, now, token));
            return null;
        }, ct);
        return refused ?? new UserSaveResult.Saved((await FindViewAsync(id, ct))!);
    }

    private async Task<UserSaveResult> CreateCoreAsync(UserInput input, IdentityActor actor, CancellationToken ct)
    {
        var errors = await ValidateAsync(input, ct);
        if (errors.Count > 0)
        {
            return new UserSaveResult.Invalid(errors);
        }

        var user = new AppUser
        {
            UserName = input.Email,
            Email = input.Email,
            EmailConfirmed = true,
            DisplayName = Blank(input.DisplayName),
            IsDisabled = input.IsDisabled ?? false,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        var invite = string.IsNullOrEmpty(input.Password);
        var refused = await InTransactionAsync<UserSaveResult>(async (db, users, token) =>
        {
            var result = invite ? await users.CreateAsync(user) : await users.CreateAsync(user, input.Password!);
            if (!result.Succeeded)
            {
                return new UserSaveResult.Invalid(IdentityErrors(result, "password"));
            }

            await GrantCreatedAsync(db, users, user, input.Role!, TenantIdsFor(input), actor, "",
                $"{(user.IsDisabled ? ", disabled" : "")}{(invite ? ", invited to choose a password" : "")}", token);
            return null;
        }, ct);
        if (refused is not null)
        {
            return refused;
        }

        // Once the account is saved: the link is mailed, and a mail must not go out for an account a rollback undid.
        var invitation = invite ? await IssuePasswordLinkAsync(user.Id, ct) : null;
        return new UserSaveResult.Saved((await FindViewAsync(user.Id, ct))!, invitation);
    }

    /// <summary>Gives a user just created in <paramref name="db"/>'s transaction its role and tenants, with the event that records the creation.</summary>
    /// <param name="how">How it was created, as the summary says it after "Created": " at the first sign-in with Contoso".</param>
    /// <param name="more">What the summary adds after the role and tenants: ", disabled".</param>
    internal async Task GrantCreatedAsync(
        SplitCcpDbContext db, UserManager<AppUser> users, AppUser user, string role, IReadOnlyList<Guid> tenantIds, IdentityActor actor, string how, string more, CancellationToken ct)
    {
        await SetRoleAsync(users, user, role);
        await SetTenantsAsync(db, user.Id, tenantIds, ct);
        var tenantNames = await tenants.NamesAsync(tenantIds, ct);
        db.IdentityEvents.Add(audit.Entry(IdentityEventKind.UserCreated, actor, user.Id, user.Email,
            $"Created{how} as {Roles.Label(role)}{(tenantIds.Count > 0 ? $" of {NameList(tenantIds, tenantNames)}" : "")}{more}."));
    }

    /// <summary>
    /// Runs a change to an account with the scope's UserManager and context in one transaction, saved with the events it adds
    /// to the context; a change that returns a result (a refusal) is rolled back. Through the write gate as a whole, as every
    /// transaction of several writes is.
    /// </summary>
    internal async Task<T?> InTransactionAsync<T>(Func<SplitCcpDbContext, UserManager<AppUser>, CancellationToken, Task<T?>> change, CancellationToken ct)
        where T : class
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var db = scope.ServiceProvider.GetRequiredService<SplitCcpDbContext>();
        return await db.WriteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            if (await change(db, users, token) is { } refused)
            {
                return refused;
            }

            await db.SaveChangesAsync(token);
            await transaction.CommitAsync(token);
            return null;
        }, ct);
    }

    /// <summary>
    /// Gives the user the role and tenants a company sign-in's claims give (no role: none at all), in one transaction with the
    /// events that record what changed; a change ends the user's other sessions.
    /// </summary>
    internal async Task SetCompanyAccessAsync(string userId, string? role, IReadOnlyList<Guid> tenantIds, IdentityActor actor, string by, CancellationToken ct)
    {
        var wanted = new Account(role ?? "", role is null or Roles.MspOperator ? [] : tenantIds.Distinct().ToList(), false);

        // Read first: most sign-ins change nothing, and those must not take the write gate nor need a writable database.
        if (await FindViewAsync(userId, ct) is { } current && current.Role == wanted.Role && current.TenantIds.ToHashSet().SetEquals(wanted.TenantIds))
        {
            return;
        }

        await InTransactionAsync<UserSaveResult>(async (db, users, token) =>
        {
            var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"No user has the id {userId}.");
            var was = new Account((await users.GetRolesAsync(user)).FirstOrDefault() ?? "", await TenantIdsAsync(db, userId, token), user.IsDisabled);
            var now = wanted with { IsDisabled = user.IsDisabled };
            var events = await ChangeEventsAsync(actor, user, was, now, token, by);
            if (events.Count > 0)
            {
                await SetRoleAsync(users, user, now.Role);
                await SetTenantsAsync(db, userId, now.TenantIds, token);
                await users.UpdateSecurityStampAsync(user);
                db.IdentityEvents.AddRange(events);
            }

            return null;
        }, ct);
    }

    /// <summary>The events of an update: a role changed, tenants changed, the account disabled or enabled.</summary>
    /// <param name="by">What made the change, when not the actor by hand, as the summaries end: " by Contoso's groups".</param>
    private async Task<List<IdentityEvent>> ChangeEventsAsync(IdentityActor actor, AppUser user, Account was, Account now, CancellationToken ct, string by = "")
    {
        var events = new List<IdentityEvent>();
        IdentityEvent Event(IdentityEventKind kind, string summary) => audit.Entry(kind, actor, user.Id, user.Email, summary);
        if (was.Role != now.Role)
        {
            events.Add(Event(IdentityEventKind.RoleChanged, $"Role changed from {RoleLabel(was.Role)} to {RoleLabel(now.Role)}{by}."));
        }

        var added = now.TenantIds.Except(was.TenantIds).ToList();
        var removed = was.TenantIds.Except(now.TenantIds).ToList();
        if (added.Count + removed.Count > 0)
        {
            var names = await tenants.NamesAsync([.. added, .. removed], ct);
            var parts = new[] { added.Count > 0 ? $"added {NameList(added, names)}" : null, removed.Count > 0 ? $"removed {NameList(removed, names)}" : null };
            var summary = string.Join("; ", parts.OfType<string>());
            events.Add(Event(IdentityEventKind.TenantsChanged, $"Tenants changed: {summary}{by}."));
        }

        if (was.IsDisabled != now.IsDisabled)
        {
            events.Add(now.IsDisabled
                ? Event(IdentityEventKind.UserDisabled, "Disabled: cannot sign in, tokens refused.")
                : Event(IdentityEventKind.UserEnabled, "Enabled again."));
        }

        return events;
    }

    private static string RoleLabel(string role) => role.Length == 0 ? "no role" : Roles.Label(role);

    private static string NameList(IEnumerable<Guid> ids, IReadOnlyDictionary<Guid, string> names) =>
        string.Join(", ", ids.Select(id => names.TryGetValue(id, out var name) ? name : id.ToString()).Order(StringComparer.OrdinalIgnoreCase));

    private static List<Guid> TenantIdsFor(UserInput input) => input.Role == Roles.MspOperator ? [] : (input.TenantIds ?? []).Distinct().ToList();

    private static async Task<IReadOnlyList<Guid>> TenantIdsAsync(SplitCcpDbContext db, string userId, CancellationToken ct) =>
        await db.UserTenants.Where(ut => ut.UserId == userId).Select(ut => ut.TenantId).ToListAsync(ct);

    /// <summary>
    /// Sends the user a link that sets their password: the invitation again while they have none (voiding the earlier one),
    /// otherwise a password reset. Mailed, or returned for the operator to hand over when no mail could be sent. Null: no such user.
    /// </summary>
    public async Task<PasswordLink?> SendPasswordLinkAsync(ClaimsPrincipal caller, string id, CancellationToken ct = default)
    {
        await RequireOperatorAsync(caller, write: true, ct);
        return await IssuePasswordLinkAsync(id, ct);
    }

    private async Task<PasswordLink?> IssuePasswordLinkAsync(string id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return null;
        }

        var kind = await users.HasPasswordAsync(user) ? PasswordLinkKind.PasswordReset : PasswordLinkKind.Invitation;
        return await links.IssueAsync(users, user, kind, ct);
    }

    /// <summary>
    /// Turns the user's MFA off and forgets their authenticator key and recovery codes, for a user who lost both; they sign in
    /// with the password alone, or enrol again where MFA is required. Ends their sessions. False: no such user.
    /// </summary>
    public async Task<bool> ResetMfaAsync(ClaimsPrincipal caller, string id, CancellationToken ct = default)
    {
        await RequireOperatorAsync(caller, write: true, ct);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return false;
        }

        await users.SetTwoFactorEnabledAsync(user, false);
        await users.ResetAuthenticatorKeyAsync(user);
        await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 0);
        await audit.RecordAsync([audit.Entry(IdentityEventKind.MfaDisabled, IdentityActor.Of(caller), user.Id, user.Email,
            "Two-step sign-in turned off for a lost authenticator app: its key and the recovery codes are forgotten.")], ct);
        return true;
    }

    private async Task<Dictionary<string, string[]>> ValidateAsync(UserInput input, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(input.Email) || !System.Net.Mail.MailAddress.TryCreate(input.Email, out var parsed) || parsed.Address != input.Email)
        {
            errors["email"] = ["Enter an e-mail address such as name@example.com."];
        }

        if (!Roles.IsKnown(input.Role))
        {
            errors["role"] = [$"Choose one of: {string.Join(", ", Roles.All)}."];
        }

        if (input.DisplayName is { Length: > 100 })
        {
            errors["displayName"] = ["Use at most 100 characters."];
        }
        else if (input.DisplayName is not null && DisplayText.HiddenCharacters(input.DisplayName) is { } hidden)
        {
            errors["displayName"] = [hidden];
        }

        if (input.Role != Roles.MspOperator && input.TenantIds is { Count: > 0 } ids)
        {
            var known = await tenants.WhichExistAsync(ids, ct);
            var unknown = ids.Except(known).ToList();
            if (unknown.Count > 0)
            {
                errors["tenantIds"] = [$"No tenant has the id {string.Join(", ", unknown)}."];
            }
        }

        return errors;
    }

    /// <summary>Gives the user <paramref name="role"/> alone; an empty role takes every role away.</summary>
    private static async Task SetRoleAsync(UserManager<AppUser> users, AppUser user, string role)
    {
        var current = await users.GetRolesAsync(user);
        var stale = current.Where(r => r != role).ToList();
        if (stale.Count > 0)
        {
            await users.RemoveFromRolesAsync(user, stale);
        }

        if (role.Length > 0 && !current.Contains(role))
        {
            await users.AddToRoleAsync(user, role);
        }
    }

    private static async Task SetTenantsAsync(SplitCcpDbContext db, string userId, IReadOnlyList<Guid> tenantIds, CancellationToken ct)
    {
        await db.WriteAsync(inner => db.UserTenants.Where(ut => ut.UserId == userId).ExecuteDeleteAsync(inner), ct);
        db.UserTenants.AddRange(tenantIds.Select(id => new UserTenant { UserId = userId, TenantId = id }));
    }

    private async Task<UserView?> FindViewAsync(string id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().Include(u => u.Tenants).SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return null;
        }

        var role = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == id select r.Name).FirstOrDefaultAsync(ct);
        return ToView(user, role ?? "");
    }

    private UserView ToView(AppUser u, string role) => new(
        u.Id, u.Email ?? u.UserName ?? "", u.DisplayName, role, u.Tenants.Select(t => t.TenantId).ToList(),
        u.IsDisabled, u.LockoutEnd > time.GetUtcNow(), u.CreatedAt, u.PasswordHash is null, u.TwoFactorEnabled);

    private static Dictionary<string, string[]> IdentityErrors(IdentityResult result, string defaultField)
    {
        return result.Errors
            .GroupBy(e => e.Code.Contains("Email", StringComparison.Ordinal) || e.Code.Contains("UserName", StringComparison.Ordinal) ? "email"
                : e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password" : defaultField)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray(), StringComparer.Ordinal);
    }

    /// <summary>
    /// The caller's role as the database has it now, as for tenants: a sign-in's role claim outlives a demotion (a cookie until
    /// its next validation, a page's circuit until it closes), and a demoted operator must not manage users meanwhile.
    /// </summary>
    private async Task RequireOperatorAsync(ClaimsPrincipal caller, bool write, CancellationToken ct)
    {
        var scope = await access.GetScopeAsync(caller, ct);
        if (!(write ? scope.CanManage : scope.AllTenants))
        {
            throw new UserManagementDeniedException();
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>What an account is allowed, before and after a change.</summary>
    private sealed record Account(string Role, IReadOnlyList<Guid> TenantIds, bool IsDisabled);
}

public sealed class UserManagementDeniedException() : Exception("Only an MSP operator can manage users.");
