using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Account;

/// <summary>Invitations, password resets and password changes through the whole app, with mail to a real SMTP server.</summary>
public sealed class AccountFlowTests : IDisposable
{
    private const string NewPassword = "Chosen-By-User-2024";
    private const string SmtpPassword = "smtp-Secret-Passw0rd";
    private readonly SmtpSink _smtp = SmtpSink.Start("mailer", SmtpPassword);
    private readonly FakeLoggerProvider _log = new();
    private readonly SplitCcpWebFactory _app = new();

    public AccountFlowTests()
    {
        foreach (var (key, value) in _smtp.Settings())
        {
            _app.WithSetting(key, value);
        }

        _app.WithSetting("SplitCcp:Mail:UserName", "mailer").WithSetting("SplitCcp:Mail:Password", SmtpPassword)
            .WithServices(services => services.AddSingleton<ILoggerProvider>(_log));
    }

    [Fact]
    public async Task Invite_ByApi_MailArrivesAndItsLinkSetsThePasswordOnce()
    {
        var response = await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).PostAsJsonAsync("/api/users", new { email = "invitee@tenant.example", role = Roles.Viewer });

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var invitation = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("invitation");
        invitation.GetProperty("mailed").GetBoolean().ShouldBeTrue();
        invitation.GetProperty("link").ValueKind.ShouldBe(JsonValueKind.Null);
        var link = LinkIn(await _smtp.WaitForMessageAsync("invitee@tenant.example"), "account/invitation");
        var browser = Browser();
        (await browser.GetStringAsync(link)).ShouldContain("Set my password");

        var set = await SetPasswordAsync(browser, link, NewPassword);

        PageForms.TestIdText(set, "password-set").ShouldNotBeNull();
        (await browser.GetStringAsync(link)).ShouldContain("This link no longer works");
        (await SplitCcpWebFactory.SubmitLoginAsync(Browser(), "invitee@tenant.example", NewPassword)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await SummariesAsync(IdentityEventKind.PasswordChanged)).ShouldBe(["Accepted the invitation: chose a first password."]);
    }

    [Fact]
    public async Task Invite_LinkUsedTwice_TheSecondUseIsRefused()
    {
        await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).PostAsJsonAsync("/api/users", new { email = "twice@tenant.example", role = Roles.Viewer });
        var link = LinkIn(await _smtp.WaitForMessageAsync("twice@tenant.example"), "account/invitation");
        var browser = Browser();
        var form = PageForms.Fields(await browser.GetStringAsync(link), "set-password");
        await SetPasswordAsync(browser, link, NewPassword);

        // The form as it was before the first use, sent again: what a second click or a replayed request sends.
        form["Input.NewPassword"] = form["Input.ConfirmPassword"] = "Second-Attempt-2025";
        var again = await (await browser.PostAsync(link, new FormUrlEncodedContent(form))).Content.ReadAsStringAsync();

        again.ShouldContain("This link no longer works");
        (await SplitCcpWebFactory.SubmitLoginAsync(Browser(), "twice@tenant.example", "Second-Attempt-2025")).StatusCode.ShouldBe(HttpStatusCode.OK, "refused");
        (await SplitCcpWebFactory.SubmitLoginAsync(Browser(), "twice@tenant.example", NewPassword)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task Invite_NeitherTheSmtpPasswordNorTheLinkIsEverLogged()
    {
        await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).PostAsJsonAsync("/api/users", new { email = "logged@tenant.example", role = Roles.Viewer });
        var link = LinkIn(await _smtp.WaitForMessageAsync("logged@tenant.example"), "account/invitation");
        var token = Regex.Match(link, "token=([^&]+)").Groups[1].Value;
        await SetPasswordAsync(Browser(), link, NewPassword);

        var records = _log.Collector.GetSnapshot();
        records.ShouldContain(r => r.Message.Contains("Sent", StringComparison.Ordinal), "the sender logs what it sent");
        foreach (var record in records)
        {
            record.Message.ShouldNotContain(SmtpPassword);
            record.Message.ShouldNotContain(token);
            record.Message.ShouldNotContain(Uri.UnescapeDataString(token));
        }
    }

    [Fact]
    public async Task ForgotPassword_KnownAndUnknownAddress_AnswerAlikeAndOnlyTheKnownGetsAMail()
    {
        var user = await _app.CreateUserAsync("known@tenant.example", Roles.Viewer);

        var known = await ForgotAsync(user.Email);
        var unknown = await ForgotAsync("unknown@tenant.example");

        known.ShouldBe(unknown);
        known.ShouldStartWith("If an account has this address");
        var link = LinkIn(await _smtp.WaitForMessageAsync(user.Email), "account/reset-password");
        await Task.Delay(300);
        _smtp.Messages().Count.ShouldBe(1);
        var browser = Browser();
        PageForms.TestIdText(await SetPasswordAsync(browser, link, NewPassword), "password-set").ShouldNotBeNull();
        (await browser.GetStringAsync(link)).ShouldContain("This link no longer works");
        (await SplitCcpWebFactory.SubmitLoginAsync(Browser(), user.Email, NewPassword)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await SplitCcpWebFactory.SubmitLoginAsync(Browser(), user.Email, user.Password)).StatusCode.ShouldBe(HttpStatusCode.OK, "the old password is refused");
    }

    [Fact]
    public async Task SignInPage_LinksToForgotPassword()
    {
        (await Browser().GetStringAsync("/account/login")).ShouldContain("href=\"/account/forgot-password\"");
    }

    [Fact]
    public async Task ChangePassword_RightCurrentPassword_ChangesItAndKeepsThisSession()
    {
        var user = await _app.CreateUserAsync("changer@tenant.example", Roles.Viewer);
        var client = await _app.CreateSignedInClientAsync(user.Email, user.Password);

        var response = await ChangeAsync(client, user.Password, NewPassword);

        PageForms.TestIdText(response, "password-changed").ShouldNotBeNull();
        (await SummariesAsync(IdentityEventKind.PasswordChanged)).ShouldBe(["Changed the password."]);
        (await client.GetAsync("/tenants")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await SplitCcpWebFactory.SubmitLoginAsync(Browser(), user.Email, user.Password)).StatusCode.ShouldBe(HttpStatusCode.OK, "the old password is refused");
        (await SplitCcpWebFactory.SubmitLoginAsync(Browser(), user.Email, NewPassword)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task ChangePassword_WrongCurrentPassword_IsRefused()
    {
        var user = await _app.CreateUserAsync("guesser@tenant.example", Roles.Viewer);
        var client = await _app.CreateSignedInClientAsync(user.Email, user.Password);

        var response = await ChangeAsync(client, "Not-The-Passw0rd-1", NewPassword);

        PageForms.TestIdText(response, "change-error").ShouldBe("The current password is not right.");
        (await SplitCcpWebFactory.SubmitLoginAsync(Browser(), user.Email, user.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect, "unchanged");
    }

    [Theory]
    [InlineData("/account/password")]
    [InlineData("/account/mfa")]
    public async Task AccountPage_Anonymous_RedirectsToSignIn(string path)
    {
        var response = await _app.CreateApiClient(null).GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldContain("/account/login");
    }

    public void Dispose()
    {
        _app.Dispose();
        _smtp.Dispose();
        _log.Dispose();
    }

    private HttpClient Browser() => _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });

    private async Task<List<string>> SummariesAsync(IdentityEventKind kind)
    {
        var scope = await _app.Services.GetRequiredService<ITenantAccess>().GetScopeAsync(_app.Operator());
        return (await _app.Services.GetRequiredService<IdentityAudit>().ListAsync(scope, new IdentityEventQuery(kind))).Items.Select(e => e.Summary).ToList();
    }

    /// <summary>The link in the mail, as a path on this app (the mail's links point at the configured portal address).</summary>
    private static string LinkIn(MimeKit.MimeMessage mail, string path)
    {
        var match = Regex.Match(mail.TextBody ?? "", $@"https://portal\.msp\.example/(?<link>{Regex.Escape(path)}\?\S+)");
        match.Success.ShouldBeTrue($"no {path} link in: {mail.TextBody}");
        return "/" + match.Groups["link"].Value;
    }

    private static async Task<string> SetPasswordAsync(HttpClient client, string link, string password) =>
        await (await PageForms.SubmitAsync(client, link, "set-password", new Dictionary<string, string>
        {
            ["Input.NewPassword"] = password,
            ["Input.ConfirmPassword"] = password,
        })).Content.ReadAsStringAsync();

    private async Task<string> ForgotAsync(string email)
    {
        var response = await PageForms.SubmitAsync(Browser(), "/account/forgot-password", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return PageForms.TestIdText(await response.Content.ReadAsStringAsync(), "reset-sent") ?? "";
    }

    private static async Task<string> ChangeAsync(HttpClient client, string current, string password) =>
        await (await PageForms.SubmitAsync(client, "/account/password", "change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = current,
            ["Input.NewPassword"] = password,
            ["Input.ConfirmPassword"] = password,
        })).Content.ReadAsStringAsync();
}

/// <summary>Invitations when the portal sends no mail: the link goes to the operator, once.</summary>
public sealed class InvitationWithoutMailTests : IDisposable
{
    private readonly SplitCcpWebFactory _app = new();

    [Fact]
    public async Task Invite_ByApi_TheLinkIsInThisResponseOnlyAndWorks()
    {
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);

        var response = await client.PostAsJsonAsync("/api/users", new { email = "handed@tenant.example", role = Roles.Viewer });

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        body.GetProperty("isInvited").GetBoolean().ShouldBeTrue();
        var invitation = body.GetProperty("invitation");
        invitation.GetProperty("mailed").GetBoolean().ShouldBeFalse();
        var link = new Uri(invitation.GetProperty("link").GetString()!);
        link.AbsolutePath.ShouldBe("/account/invitation");
        var token = Regex.Match(link.Query, "token=([^&]+)").Groups[1].Value;
        (await client.GetStringAsync($"/api/users/{body.GetProperty("id").GetString()}")).ShouldNotContain(token);
        (await client.GetStringAsync("/api/users")).ShouldNotContain(token);
        (await _app.CreateClient(new() { AllowAutoRedirect = false }).GetStringAsync(link.PathAndQuery)).ShouldContain("Set my password");
    }

    [Fact]
    public async Task PasswordLink_ForAUserWithAPassword_IsAResetLinkInTheResponse()
    {
        var user = await _app.CreateUserAsync("forgetful@tenant.example", Roles.Viewer);

        var response = await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).PostAsync($"/api/users/{user.Id}/password-link", null);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        body.GetProperty("kind").GetString().ShouldBe("PasswordReset");
        new Uri(body.GetProperty("link").GetString()!).AbsolutePath.ShouldBe("/account/reset-password");
    }

    [Fact]
    public async Task PasswordLink_NotAnOperatorOrNoSuchUser_IsRefused()
    {
        var tenant = await _app.CreateTenantAsync("Acme", "acme");
        var admin = await _app.CreateUserAsync("admin@acme.example", Roles.TenantAdmin, tenant.Id);

        (await _app.CreateApiClient(admin.Token).PostAsync($"/api/users/{admin.Id}/password-link", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await _app.CreateApiClient(null).PostAsync($"/api/users/{admin.Id}/password-link", null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).PostAsync("/api/users/no-such-user/password-link", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ForgotPassword_WithoutMail_SaysToAskAnOperator()
    {
        var page = await _app.CreateClient().GetStringAsync("/account/forgot-password");

        PageForms.TestIdText(page, "no-mail")!.ShouldContain("Ask an MSP operator");
    }

    public void Dispose() => _app.Dispose();
}
