using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OtpNet;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Account;

/// <summary>Two-step sign-in with an authenticator app's codes, computed here as an app would (RFC 6238).</summary>
public sealed partial class MfaTests : IDisposable
{
    private SplitCcpWebFactory _app = new();

    [Fact]
    public async Task Enrol_ThenSignIn_AsksForTheCodeAndAcceptsOnlyAValidOne()
    {
        var user = await _app.CreateUserAsync("mfa@tenant.example", Roles.Viewer);
        var (key, _) = await EnrolAsync(await _app.CreateSignedInClientAsync(user.Email, user.Password));
        var client = Browser();

        var password = await SplitCcpWebFactory.SubmitLoginAsync(client, user.Email, user.Password);

        RedirectPath(password).ShouldStartWith("/account/login-code");
        (await client.GetAsync("/tenants")).StatusCode.ShouldBe(HttpStatusCode.Redirect, "the password alone signs nobody in");
        (await CodeAsync(client, WrongCode(key))).ShouldContain("This code is not right.");
        var signedIn = await SubmitCodeAsync(client, Code(key));
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetAsync("/tenants")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SignIn_CodeThatAlreadySignedIn_IsNotTakenAgain()
    {
        var user = await _app.CreateUserAsync("replay@tenant.example", Roles.Viewer);
        var (key, _) = await EnrolAsync(await _app.CreateSignedInClientAsync(user.Email, user.Password));
        var code = Code(key);
        var first = Browser();
        await SplitCcpWebFactory.SubmitLoginAsync(first, user.Email, user.Password);
        (await SubmitCodeAsync(first, code)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        // Seen over a shoulder, or in a log: the password and the same code, again, while the code is still current.
        var second = Browser();
        await SplitCcpWebFactory.SubmitLoginAsync(second, user.Email, user.Password);
        (await CodeAsync(second, code)).ShouldContain("This code is not right.");
        (await second.GetAsync("/tenants")).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        (await SubmitCodeAsync(second, Code(key))).StatusCode.ShouldBe(HttpStatusCode.Redirect, "the app's next code does");
        (await second.GetAsync("/tenants")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SignIn_CodeStep_IsRecordedInTheIdentityActivity()
    {
        var user = await _app.CreateUserAsync("recorded@tenant.example", Roles.Viewer);
        var (key, _) = await EnrolAsync(await _app.CreateSignedInClientAsync(user.Email, user.Password));
        var client = Browser();
        await SplitCcpWebFactory.SubmitLoginAsync(client, user.Email, user.Password);

        await CodeAsync(client, WrongCode(key));
        await SubmitCodeAsync(client, Code(key));

        var scope = await _app.Services.GetRequiredService<ITenantAccess>().GetScopeAsync(_app.Operator());
        var events = (await _app.Services.GetRequiredService<IdentityAudit>().ListAsync(scope, new IdentityEventQuery(null, PageSize: 50))).Items
            .Where(e => e.SubjectId == user.Id).Select(e => e.Summary).ToList();
        events.ShouldContain("Wrong authenticator code.");
        events.ShouldContain("Signed in with a password and an authenticator code.");
    }

    [Fact]
    public async Task SignIn_RecoveryCode_WorksOnce()
    {
        var user = await _app.CreateUserAsync("recover@tenant.example", Roles.Viewer);
        var (_, codes) = await EnrolAsync(await _app.CreateSignedInClientAsync(user.Email, user.Password));
        codes.Count.ShouldBe(10);

        var first = Browser();
        await SplitCcpWebFactory.SubmitLoginAsync(first, user.Email, user.Password);
        (await SubmitCodeAsync(first, codes[0])).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var second = Browser();
        await SplitCcpWebFactory.SubmitLoginAsync(second, user.Email, user.Password);
        (await CodeAsync(second, codes[0])).ShouldContain("This code is not right.");
        (await second.GetAsync("/tenants")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task SignIn_FiveWrongCodes_LocksTheAccountEvenForTheRightCode()
    {
        var user = await _app.CreateUserAsync("locked@tenant.example", Roles.Viewer);
        var (key, _) = await EnrolAsync(await _app.CreateSignedInClientAsync(user.Email, user.Password));
        var client = Browser();
        await SplitCcpWebFactory.SubmitLoginAsync(client, user.Email, user.Password);
        for (var i = 0; i < 5; i++)
        {
            await CodeAsync(client, WrongCode(key));
        }

        (await CodeAsync(client, Code(key))).ShouldContain("locked for 15 minutes");
        (await client.GetAsync("/tenants")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task TurnOff_AfterConfirming_SignInNeedsThePasswordAlone()
    {
        var user = await _app.CreateUserAsync("off@tenant.example", Roles.Viewer);
        var client = await _app.CreateSignedInClientAsync(user.Email, user.Password);
        await EnrolAsync(client);

        var asked = await (await PageForms.SubmitAsync(client, "/account/mfa", "mfa-off", new Dictionary<string, string>())).Content.ReadAsStringAsync();
        asked.ShouldContain("Turn two-step sign-in off?");
        (await client.GetStringAsync("/account/mfa")).ShouldContain("data-testid=\"mfa-on\"", customMessage: "not turned off before confirming");
        (await client.PostAsync("/account/mfa", new FormUrlEncodedContent(PageForms.Fields(asked, "mfa-off")))).StatusCode.ShouldBe(HttpStatusCode.OK);

        RedirectPath(await SplitCcpWebFactory.SubmitLoginAsync(Browser(), user.Email, user.Password)).ShouldBe("/");
    }

    [Fact]
    public async Task ResetByOperator_LostApp_SignsInWithThePasswordAloneAndEnrolsWithANewKey()
    {
        var user = await _app.CreateUserAsync("lost-phone@tenant.example", Roles.Viewer);
        var (key, _) = await EnrolAsync(await _app.CreateSignedInClientAsync(user.Email, user.Password));

        (await _app.CreateApiClient(user.Token).DeleteAsync($"/api/users/{user.Id}/mfa")).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "operators only");
        (await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).DeleteAsync("/api/users/no-such-user/mfa")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var reset = await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).DeleteAsync($"/api/users/{user.Id}/mfa");

        reset.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        RedirectPath(await SplitCcpWebFactory.SubmitLoginAsync(Browser(), user.Email, user.Password)).ShouldBe("/");
        (await _app.Services.GetRequiredService<UserDirectory>().GetAsync(_app.Operator(), user.Id))!.HasMfa.ShouldBeFalse();
        var enrolAgain = await (await _app.CreateSignedInClientAsync(user.Email, user.Password)).GetStringAsync("/account/mfa");
        KeyOn(enrolAgain).ShouldNotBe(key, "the lost app's key is forgotten");
        var scope = await _app.Services.GetRequiredService<ITenantAccess>().GetScopeAsync(_app.Operator());
        var events = (await _app.Services.GetRequiredService<IdentityAudit>().ListAsync(scope, new IdentityEventQuery(UserId: user.Id))).Items;
        events.ShouldContain(e => e.Kind == IdentityEventKind.MfaEnabled && e.ActorId == user.Id);
        var operatorId = _app.Operator().FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value;
        events.ShouldContain(e => e.Kind == IdentityEventKind.MfaDisabled && e.ActorId == operatorId);
    }

    [Fact]
    public async Task RequireMfa_UserWithoutIt_CanOnlyEnrolUntilEnrolled()
    {
        UseApp(new SplitCcpWebFactory().WithSetting("SplitCcp:Accounts:RequireMfa", "true"));
        var user = await _app.CreateUserAsync("must@tenant.example", Roles.Viewer);
        var client = await _app.CreateSignedInClientAsync(user.Email, user.Password);

        foreach (var path in new[] { "/", "/tenants", "/profile", "/account/password" })
        {
            var response = await client.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect, path);
            RedirectPath(response).ShouldBe("/account/mfa", path);
        }

        var circuit = await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", null);
        circuit.StatusCode.ShouldBe(HttpStatusCode.Redirect, "no page circuit before enrolling");
        PageForms.TestIdText(await client.GetStringAsync("/account/mfa"), "mfa-required").ShouldNotBeNull();
        (await _app.CreateApiClient(user.Token).GetAsync("/api/tenants")).StatusCode.ShouldBe(HttpStatusCode.OK, "API tokens are not page sessions");

        await EnrolAsync(client);

        (await client.GetAsync("/tenants")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RequireMfa_EnrolledAccount_CannotSignInWithoutAValidCode()
    {
        UseApp(new SplitCcpWebFactory().WithSetting("SplitCcp:Accounts:RequireMfa", "true"));
        var user = await _app.CreateUserAsync("required@tenant.example", Roles.Viewer);
        var (key, _) = await EnrolAsync(await _app.CreateSignedInClientAsync(user.Email, user.Password));
        var client = Browser();

        await SplitCcpWebFactory.SubmitLoginAsync(client, user.Email, user.Password);
        var noCode = await client.GetAsync("/tenants");
        (await CodeAsync(client, WrongCode(key))).ShouldContain("This code is not right.");
        var wrongCode = await client.GetAsync("/tenants");

        RedirectPath(noCode).ShouldStartWith("/account/login");
        RedirectPath(wrongCode).ShouldStartWith("/account/login");
        (await SubmitCodeAsync(client, Code(key))).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetAsync("/tenants")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RequireMfa_TheSessionKeepsItsSecondStepPastTheSecurityStampCheck()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        UseApp(new SplitCcpWebFactory().WithSetting("SplitCcp:Accounts:RequireMfa", "true")
            .WithServices(services => services.AddSingleton<TimeProvider>(time)));
        var user = await _app.CreateUserAsync("stamp@tenant.example", Roles.Viewer);
        var client = await _app.CreateSignedInClientAsync(user.Email, user.Password);
        await EnrolAsync(client);

        time.Advance(TimeSpan.FromMinutes(2));

        (await client.GetAsync("/tenants")).StatusCode.ShouldBe(HttpStatusCode.OK);
        time.Advance(TimeSpan.FromMinutes(2));
        (await client.GetAsync("/tenants")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RequireMfa_SessionThatDidNotPassTheCodeStep_IsToldToSignInAgainOnceMfaIsOnElsewhere()
    {
        UseApp(new SplitCcpWebFactory().WithSetting("SplitCcp:Accounts:RequireMfa", "true"));
        var user = await _app.CreateUserAsync("two-tabs@tenant.example", Roles.Viewer);
        var other = await _app.CreateSignedInClientAsync(user.Email, user.Password);
        await EnrolAsync(await _app.CreateSignedInClientAsync(user.Email, user.Password));

        var page = await other.GetStringAsync("/account/mfa");

        PageForms.TestIdText(page, "mfa-sign-in-again").ShouldNotBeNull();
        (await other.GetAsync("/tenants")).Headers.Location!.ToString().ShouldBe("/account/mfa");
    }

    [Fact]
    public async Task RequireMfa_TurningItOff_IsNotOffered()
    {
        UseApp(new SplitCcpWebFactory().WithSetting("SplitCcp:Accounts:RequireMfa", "true"));
        var user = await _app.CreateUserAsync("keep@tenant.example", Roles.Viewer);
        var client = await _app.CreateSignedInClientAsync(user.Email, user.Password);
        await EnrolAsync(client);

        var page = await client.GetStringAsync("/account/mfa");

        page.ShouldContain("cannot be turned off");
        page.ShouldNotContain("data-testid=\"mfa-off\"");
    }

    [Fact]
    public async Task Enrol_WrongCode_LeavesItOff()
    {
        var user = await _app.CreateUserAsync("typo@tenant.example", Roles.Viewer);
        var client = await _app.CreateSignedInClientAsync(user.Email, user.Password);
        var key = KeyOn(await client.GetStringAsync("/account/mfa"));

        var response = await PageForms.SubmitAsync(client, "/account/mfa", "mfa-enable", new Dictionary<string, string> { ["Enable.Code"] = WrongCode(key) });

        PageForms.TestIdText(await response.Content.ReadAsStringAsync(), "mfa-error").ShouldNotBeNull();
        RedirectPath(await SplitCcpWebFactory.SubmitLoginAsync(Browser(), user.Email, user.Password)).ShouldBe("/");
    }

    public void Dispose() => _app.Dispose();

    /// <summary>Turns MFA on from the enrolment page as a person does: reads the key, types the app's code; returns the key and the recovery codes shown.</summary>
    internal static async Task<(string Key, List<string> RecoveryCodes)> EnrolAsync(HttpClient client)
    {
        var page = await client.GetStringAsync("/account/mfa");
        var key = KeyOn(page);
        page.ShouldContain($"otpauth://totp/SplitCcp:");
        page.ShouldContain("data:image/png;base64,", customMessage: "the QR code");

        var response = await PageForms.SubmitAsync(client, "/account/mfa", "mfa-enable", new Dictionary<string, string> { ["Enable.Code"] = Code(key) });

        var html = await response.Content.ReadAsStringAsync();
        var codes = RecoveryCode().Matches(html).Select(m => m.Groups[1].Value).ToList();
        codes.ShouldNotBeEmpty($"recovery codes shown: {html}");
        return (key, codes);
    }

    /// <summary>
    /// A code the portal has not taken yet for <paramref name="key"/>: the current step's, or, when a test already used it
    /// (each code signs in once), the next step's, as an app shows a few seconds later.
    /// </summary>
    internal static string Code(string key)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
        var step = s_lastStep.AddOrUpdate(key, now, (_, last) => Math.Max(now, last + 1));
        return new Totp(Base32Encoding.ToBytes(key)).ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * 30).UtcDateTime);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> s_lastStep = new(StringComparer.Ordinal);

    private static string KeyOn(string page) => PageForms.TestIdText(page, "mfa-key")!.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();

    /// <summary>A code that is not the current one, nor one of the two before or after it, which the portal also accepts.</summary>
    private static string WrongCode(string key)
    {
        var totp = new Totp(Base32Encoding.ToBytes(key));
        var now = DateTime.UtcNow;
        var near = Enumerable.Range(-2, 5).Select(i => totp.ComputeTotp(now.AddSeconds(30 * i))).ToList();
        return Enumerable.Range(0, 10).Select(i => $"{i}{i}{i}{i}{i}{i}").First(code => !near.Contains(code));
    }

    private static string RedirectPath(HttpResponseMessage response) =>
        response.Headers.Location is { IsAbsoluteUri: true } absolute ? absolute.PathAndQuery : response.Headers.Location?.ToString() ?? "";

    private HttpClient Browser() => _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });

    private void UseApp(SplitCcpWebFactory app)
    {
        _app.Dispose();
        _app = app;
    }

    private static async Task<HttpResponseMessage> SubmitCodeAsync(HttpClient client, string code) =>
        await PageForms.SubmitAsync(client, "/account/login-code", "login-code", new Dictionary<string, string> { ["Input.Code"] = code });

    private static async Task<string> CodeAsync(HttpClient client, string code) => await (await SubmitCodeAsync(client, code)).Content.ReadAsStringAsync();

    [GeneratedRegex("<li>([A-Z0-9]{5}-[A-Z0-9]{5})</li>")]
    private static partial Regex RecoveryCode();
}
