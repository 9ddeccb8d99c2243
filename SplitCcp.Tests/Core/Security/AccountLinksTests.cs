using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Security;

/// <summary>Invitations and password resets: links that set a password once, mailed through a real SMTP server or handed to the operator.</summary>
public class AccountLinksTests : IDisposable
{
    private const string NewPassword = "Chosen-By-Invitee-7";
    private readonly SmtpSink _smtp = SmtpSink.Start();

    public AccountLinksTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the facts run on.</param>
    protected AccountLinksTests(StorageProvider provider)
    {
        Provider = provider;
    }

    /// <summary>The database engine the facts run on.</summary>
    protected StorageProvider Provider { get; }

    [Fact]
    public async Task Create_WithoutPassword_MailsAnInvitationWhoseLinkSetsThePasswordOnce()
    {
        await using var host = await StartAsync(withMail: true);

        var saved = (await host.Users.CreateAsync(CoreTestHost.DirectoryOperator, Invitee())).ShouldBeOfType<UserSaveResult.Saved>();

        saved.User.IsInvited.ShouldBeTrue();
        saved.Invitation.ShouldNotBeNull().Mailed.ShouldBeTrue();
        saved.Invitation.Link.ShouldBeNull("a mailed link is the invitee's alone");
        var mail = await _smtp.WaitForMessageAsync("invitee@tenant.example");
        mail.Subject.ShouldBe("Your SplitCcp account");
        var (userId, token) = LinkIn(mail.TextBody ?? "", "https://portal.msp.example/account/invitation");
        userId.ShouldBe(saved.User.Id);
        var links = host.Services.GetRequiredService<AccountLinks>();
        (await links.IsValidAsync(PasswordLinkKind.Invitation, userId, token)).ShouldBeTrue();

        (await links.SetPasswordAsync(PasswordLinkKind.Invitation, userId, token, NewPassword)).ShouldBeOfType<PasswordSetResult.Changed>();

        (await links.SetPasswordAsync(PasswordLinkKind.Invitation, userId, token, "Another-Passw0rd-99")).ShouldBeOfType<PasswordSetResult.LinkInvalid>();
        (await links.IsValidAsync(PasswordLinkKind.Invitation, userId, token)).ShouldBeFalse();
        (await ChecksPasswordAsync(host, userId, NewPassword)).ShouldBeTrue();
        (await host.Users.GetAsync(CoreTestHost.DirectoryOperator, userId))!.IsInvited.ShouldBeFalse();
    }

    [Fact]
    public async Task Create_WithoutPasswordOrMail_ReturnsTheLinkToHandOverAndSendsNothing()
    {
        await using var host = await StartAsync(withMail: false);

        var saved = (await host.Users.CreateAsync(CoreTestHost.DirectoryOperator, Invitee())).ShouldBeOfType<UserSaveResult.Saved>();

        var invitation = saved.Invitation.ShouldNotBeNull();
        invitation.Mailed.ShouldBeFalse();
        invitation.MailError.ShouldBeNull();
        invitation.ExpiresAt.ShouldBe(host.Time.GetUtcNow() + TimeSpan.FromHours(72));
        var (userId, token) = LinkIn("/" + invitation.Link, "/account/invitation");
        (await host.Services.GetRequiredService<AccountLinks>().SetPasswordAsync(PasswordLinkKind.Invitation, userId, token, NewPassword))
            .ShouldBeOfType<PasswordSetResult.Changed>();
        _smtp.Messages().ShouldBeEmpty();
    }

    [Fact]
    public async Task Create_WithPassword_InvitesNobody()
    {
        await using var host = await StartAsync(withMail: true);

        var saved = (await host.Users.CreateAsync(CoreTestHost.DirectoryOperator, Invitee() with { Password = CoreTestHost.Password }))
            .ShouldBeOfType<UserSaveResult.Saved>();

        saved.Invitation.ShouldBeNull();
        saved.User.IsInvited.ShouldBeFalse();
        (await ChecksPasswordAsync(host, saved.User.Id, CoreTestHost.Password)).ShouldBeTrue();
        await Task.Delay(200);
        _smtp.Messages().ShouldBeEmpty();
    }

    [Fact]
    public async Task InviteAgain_TheEarlierLinkStopsWorking()
    {
        await using var host = await StartAsync(withMail: false);
        var saved = (await host.Users.CreateAsync(CoreTestHost.DirectoryOperator, Invitee())).ShouldBeOfType<UserSaveResult.Saved>();
        var first = LinkIn("/" + saved.Invitation!.Link, "/account/invitation");

        var again = await host.Users.SendPasswordLinkAsync(CoreTestHost.DirectoryOperator, saved.User.Id);

        again.ShouldNotBeNull().Kind.ShouldBe(PasswordLinkKind.Invitation);
        var links = host.Services.GetRequiredService<AccountLinks>();
        (await links.SetPasswordAsync(PasswordLinkKind.Invitation, first.UserId, first.Token, NewPassword)).ShouldBeOfType<PasswordSetResult.LinkInvalid>();
        var second = LinkIn("/" + again.Link, "/account/invitation");
        (await links.SetPasswordAsync(PasswordLinkKind.Invitation, second.UserId, second.Token, NewPassword)).ShouldBeOfType<PasswordSetResult.Changed>();
    }

    [Fact]
    public async Task Invitation_AfterItsLifetime_IsRefused()
    {
        await using var host = await StartAsync(withMail: false, new() { ["SplitCcp:Accounts:InvitationLifetime"] = "00:00:01" });
        var saved = (await host.Users.CreateAsync(CoreTestHost.DirectoryOperator, Invitee())).ShouldBeOfType<UserSaveResult.Saved>();
        var (userId, token) = LinkIn("/" + saved.Invitation!.Link, "/account/invitation");

        host.Time.Advance(TimeSpan.FromSeconds(2));
        await Task.Delay(TimeSpan.FromSeconds(2));

        (await host.Services.GetRequiredService<AccountLinks>().SetPasswordAsync(PasswordLinkKind.Invitation, userId, token, NewPassword))
            .ShouldBeOfType<PasswordSetResult.LinkInvalid>();
        (await ChecksPasswordAsync(host, userId, NewPassword)).ShouldBeFalse();
    }

    [Fact]
    public async Task Invitation_WeakPassword_SaysWhyAndTheLinkStillWorks()
    {
        await using var host = await StartAsync(withMail: false);
        var saved = (await host.Users.CreateAsync(CoreTestHost.DirectoryOperator, Invitee())).ShouldBeOfType<UserSaveResult.Saved>();
        var (userId, token) = LinkIn("/" + saved.Invitation!.Link, "/account/invitation");
        var links = host.Services.GetRequiredService<AccountLinks>();

        var weak = (await links.SetPasswordAsync(PasswordLinkKind.Invitation, userId, token, "alllowercase-no-digit")).ShouldBeOfType<PasswordSetResult.Invalid>();

        weak.Errors.ShouldNotBeEmpty();
        (await links.SetPasswordAsync(PasswordLinkKind.Invitation, userId, token, NewPassword)).ShouldBeOfType<PasswordSetResult.Changed>();
    }

    [Fact]
    public async Task PasswordReset_ExistingAccount_MailsALinkThatSetsANewPasswordOnce()
    {
        await using var host = await StartAsync(withMail: true);
        var user = await host.CreateUserAsync(Roles.Viewer);
        var links = host.Services.GetRequiredService<AccountLinks>();

        (await links.SendPasswordResetAsync(user.View.Email)).ShouldBeTrue();

        var mail = await _smtp.WaitForMessageAsync(user.View.Email);
        mail.Subject.ShouldBe("Reset your SplitCcp password");
        var (userId, token) = LinkIn(mail.TextBody ?? "", "https://portal.msp.example/account/reset-password");
        (await links.SetPasswordAsync(PasswordLinkKind.PasswordReset, userId, token, NewPassword)).ShouldBeOfType<PasswordSetResult.Changed>();
        (await links.SetPasswordAsync(PasswordLinkKind.PasswordReset, userId, token, "Another-Passw0rd-99")).ShouldBeOfType<PasswordSetResult.LinkInvalid>();
        (await ChecksPasswordAsync(host, userId, NewPassword)).ShouldBeTrue();
    }

    [Fact]
    public async Task PasswordReset_AskedForJustBeforeThePortalStops_IsStillMailed()
    {
        var host = await StartAsync(withMail: true);
        var user = await host.CreateUserAsync(Roles.Viewer);

        host.Services.GetRequiredService<PasswordResetMailer>().Queue(user.View.Email);
        await host.DisposeAsync();

        (await _smtp.WaitForMessageAsync(user.View.Email)).Subject.ShouldBe("Reset your SplitCcp password");
    }

    [Fact]
    public async Task PasswordReset_AskedForAgainWithinTheInterval_IsMailedOnce_AndAgainAfterIt()
    {
        await using var host = await StartAsync(withMail: true);
        var user = await host.CreateUserAsync(Roles.Viewer);
        var mailer = host.Services.GetRequiredService<PasswordResetMailer>();

        mailer.Queue(user.View.Email);
        mailer.Queue(" " + user.View.Email.ToUpperInvariant());
        await _smtp.WaitForMessageAsync(user.View.Email);
        await Task.Delay(500);
        _smtp.Messages().Count.ShouldBe(1, "the same address within five minutes is one mail, however it is written");

        host.Time.Advance(TimeSpan.FromMinutes(5));
        mailer.Queue(user.View.Email);
        await WaitUntilAsync(() => _smtp.Messages().Count == 2);
    }

    [Fact]
    public async Task PasswordReset_FloodOfDistinctAddresses_KeepsItsMemoryBounded_AndTakesNewAddressesOnceTheOldAreForgotten()
    {
        await using var host = await StartAsync(withMail: true);
        var user = await host.CreateUserAsync(Roles.Viewer);
        var mailer = host.Services.GetRequiredService<PasswordResetMailer>();

        for (var i = 0; i < PasswordResetMailer.RememberedAddresses + 500; i++)
        {
            mailer.Queue($"nobody{i}@flood.example");
        }

        mailer.Remembered.ShouldBe(PasswordResetMailer.RememberedAddresses, "a flood of new addresses does not grow the process");
        mailer.Queue(user.View.Email);
        await Task.Delay(500);
        _smtp.Messages().ShouldBeEmpty("during the flood a new address is dropped");

        host.Time.Advance(TimeSpan.FromMinutes(5));
        mailer.Queue(user.View.Email);
        (await _smtp.WaitForMessageAsync(user.View.Email)).Subject.ShouldBe("Reset your SplitCcp password");
        mailer.Remembered.ShouldBe(1, "the flood's addresses are forgotten after the interval");
    }

    [Fact]
    public async Task PasswordReset_UnknownOrDisabledAccount_SendsNothing()
    {
        await using var host = await StartAsync(withMail: true);
        var disabled = await host.CreateUserAsync(Roles.Viewer);
        await host.DisableAsync(disabled);
        var links = host.Services.GetRequiredService<AccountLinks>();

        (await links.SendPasswordResetAsync("nobody@tenant.example")).ShouldBeFalse();
        (await links.SendPasswordResetAsync(disabled.View.Email)).ShouldBeFalse();

        await Task.Delay(200);
        _smtp.Messages().ShouldBeEmpty();
    }

    [Fact]
    public async Task Links_OfOneKind_DoNotWorkAsTheOther()
    {
        await using var host = await StartAsync(withMail: false);
        var saved = (await host.Users.CreateAsync(CoreTestHost.DirectoryOperator, Invitee())).ShouldBeOfType<UserSaveResult.Saved>();
        var invitation = LinkIn("/" + saved.Invitation!.Link, "/account/invitation");
        var links = host.Services.GetRequiredService<AccountLinks>();

        (await links.SetPasswordAsync(PasswordLinkKind.PasswordReset, invitation.UserId, invitation.Token, NewPassword)).ShouldBeOfType<PasswordSetResult.LinkInvalid>();

        var user = await host.CreateUserAsync(Roles.Viewer);
        var reset = await host.Users.SendPasswordLinkAsync(CoreTestHost.DirectoryOperator, user.Id);
        reset.ShouldNotBeNull().Kind.ShouldBe(PasswordLinkKind.PasswordReset);
        var resetLink = LinkIn("/" + reset.Link, "/account/reset-password");
        (await links.SetPasswordAsync(PasswordLinkKind.Invitation, resetLink.UserId, resetLink.Token, NewPassword)).ShouldBeOfType<PasswordSetResult.LinkInvalid>();
        (await links.SetPasswordAsync(PasswordLinkKind.PasswordReset, resetLink.UserId, resetLink.Token, NewPassword)).ShouldBeOfType<PasswordSetResult.Changed>();
    }

    [Fact]
    public async Task SendPasswordLink_NotAnOperator_IsRefused()
    {
        await using var host = await StartAsync(withMail: false);
        var viewer = await host.CreateUserAsync(Roles.Viewer);

        await Should.ThrowAsync<UserManagementDeniedException>(() => host.Users.SendPasswordLinkAsync(viewer.Principal, viewer.Id));
    }

    public void Dispose()
    {
        _smtp.Dispose();
        GC.SuppressFinalize(this);
    }

    private Task<CoreTestHost> StartAsync(bool withMail, Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        if (withMail)
        {
            foreach (var (key, value) in _smtp.Settings())
            {
                settings[key] = value;
            }
        }

        return CoreTestHost.StartAsync(settings, provider: Provider);
    }

    private static UserInput Invitee() => new() { Email = "invitee@tenant.example", Role = Roles.Viewer };

    private static async Task<bool> ChecksPasswordAsync(CoreTestHost host, string userId, string password)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        return await users.CheckPasswordAsync((await users.FindByIdAsync(userId))!, password);
    }

    /// <summary>The user id and token of the link that starts with <paramref name="prefix"/> in <paramref name="text"/>.</summary>
    internal static (string UserId, string Token) LinkIn(string text, string prefix)
    {
        var match = Regex.Match(text, Regex.Escape(prefix) + @"\?user=(?<user>[^&\s]+)&token=(?<token>\S+)");
        match.Success.ShouldBeTrue($"no link starting {prefix} in: {text}");
        return (Uri.UnescapeDataString(match.Groups["user"].Value), Uri.UnescapeDataString(match.Groups["token"].Value));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "waited 10 s");
            await Task.Delay(50);
        }
    }
}

public sealed class PostgreSqlAccountLinksTests() : AccountLinksTests(StorageProvider.PostgreSql);
