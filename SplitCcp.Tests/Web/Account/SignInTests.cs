using System.Net;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Account;

public sealed class SignInTests : IDisposable
{
    private readonly SplitCcpWebFactory _app = new();

    [Fact]
    public async Task Page_Anonymous_RedirectsToSignInWithReturnUrl()
    {
        var response = await _app.CreateApiClient(null).GetAsync("/tenants");

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldContain("/account/login?ReturnUrl=%2Ftenants");
    }

    [Fact]
    public async Task SignIn_RightPassword_RedirectsToReturnUrlAndOpensPages()
    {
        var client = _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        var form = await client.GetStringAsync("/account/login?ReturnUrl=%2Ftenants");
        var fields = SplitCcpWebFactory.HiddenInputs(form);
        fields["Input.Email"] = SplitCcpWebFactory.AdminEmail;
        fields["Input.Password"] = SplitCcpWebFactory.AdminPassword;

        var response = await client.PostAsync("/account/login?ReturnUrl=%2Ftenants", new FormUrlEncodedContent(fields));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        LocalPath(response).ShouldBe("/tenants");
        (await client.GetAsync("/tenants")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("https://evil.example/steal")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    public async Task SignIn_ForeignReturnUrl_GoesHomeInstead(string returnUrl)
    {
        var client = _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        var query = "/account/login?ReturnUrl=" + Uri.EscapeDataString(returnUrl);
        var fields = SplitCcpWebFactory.HiddenInputs(await client.GetStringAsync(query));
        fields["Input.Email"] = SplitCcpWebFactory.AdminEmail;
        fields["Input.Password"] = SplitCcpWebFactory.AdminPassword;

        var response = await client.PostAsync(query, new FormUrlEncodedContent(fields));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        LocalPath(response).ShouldBe("/");
    }

    // Which of the two is wrong is not said, so the form does not tell who has an account.
    private const string NoMatch = "No account has this e-mail and password. Check both (the password is case-sensitive) and try again.";

    [Fact]
    public async Task SignIn_WrongPassword_SaysSoWithoutSayingWhich()
    {
        var client = _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });

        var response = await SplitCcpWebFactory.SubmitLoginAsync(client, SplitCcpWebFactory.AdminEmail, "Wrong-Passw0rd-xx");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain(NoMatch);
    }

    [Fact]
    public async Task SignIn_UnknownEmail_SaysTheSameAsForAWrongPassword()
    {
        var client = _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });

        var response = await SplitCcpWebFactory.SubmitLoginAsync(client, "nobody@example.com", "Wrong-Passw0rd-xx");

        (await response.Content.ReadAsStringAsync()).ShouldContain(NoMatch);
    }

    [Fact]
    public async Task SignIn_FiveFailures_LocksTheAccountEvenForTheRightPassword()
    {
        var user = await _app.CreateUserAsync("target@example.com", Roles.Viewer);
        var client = _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        for (var i = 0; i < 5; i++)
        {
            await SplitCcpWebFactory.SubmitLoginAsync(client, user.Email, "Wrong-Passw0rd-xx");
        }

        var response = await SplitCcpWebFactory.SubmitLoginAsync(client, user.Email, user.Password);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain("locked for 15 minutes");
    }

    [Fact]
    public async Task SignIn_DisabledUser_IsRefusedWithReason()
    {
        var user = await _app.CreateUserAsync("gone@example.com", Roles.Viewer);
        var directory = (UserDirectory)_app.Services.GetService(typeof(UserDirectory))!;
        await directory.UpdateAsync(_app.Operator(), user.Id, new UserInput { Email = user.Email, Role = Roles.Viewer, IsDisabled = true });
        var client = _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });

        var response = await SplitCcpWebFactory.SubmitLoginAsync(client, user.Email, user.Password);

        (await response.Content.ReadAsStringAsync()).ShouldContain("This account is disabled.");
    }

    [Fact]
    public async Task SignOut_WithoutAntiforgeryToken_IsRefused()
    {
        var client = await _app.CreateSignedInClientAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);

        var response = await client.PostAsync("/account/logout", new FormUrlEncodedContent([]));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.GetAsync("/tenants")).StatusCode.ShouldBe(HttpStatusCode.OK, "still signed in");
    }

    [Fact]
    public async Task SignOut_FromAPage_EndsTheSession()
    {
        var client = await _app.CreateSignedInClientAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        var page = await client.GetStringAsync("/tenants");
        var token = SplitCcpWebFactory.HiddenInputs(page)["__RequestVerificationToken"];

        var response = await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetAsync("/tenants")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    /// <summary>The redirect's path, after checking it stays on this site.</summary>
    private static string LocalPath(HttpResponseMessage response)
    {
        var location = response.Headers.Location!;
        if (location.IsAbsoluteUri)
        {
            location.Host.ShouldBe("localhost");
            return location.PathAndQuery;
        }

        return location.ToString();
    }

    public void Dispose() => _app.Dispose();
}

public sealed class FirstRunSetupTests : IDisposable
{
    private readonly SplitCcpWebFactory _app = new(bootstrap: false);

    [Fact]
    public async Task SignIn_NoUserYet_SendsTheVisitorToSetup()
    {
        var response = await _app.CreateApiClient(null).GetAsync("/account/login");

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldEndWith("/setup");
    }

    [Fact]
    public async Task Setup_CreatesTheFirstOperatorOnceThenCloses()
    {
        var client = _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        var fields = SplitCcpWebFactory.HiddenInputs(await client.GetStringAsync("/setup"));
        fields["Input.Email"] = "first@msp.example";
        fields["Input.Password"] = "First-Operator-1";
        fields["Input.ConfirmPassword"] = "First-Operator-1";

        var created = await client.PostAsync("/setup", new FormUrlEncodedContent(fields));

        created.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetAsync("/users")).StatusCode.ShouldBe(HttpStatusCode.OK, "signed in as an MSP operator");
        var again = await _app.CreateApiClient(null).GetAsync("/setup");
        again.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        again.Headers.Location!.ToString().ShouldEndWith("/account/login");
    }

    [Fact]
    public async Task Setup_MismatchedPasswords_ShowsTheErrorAndCreatesNobody()
    {
        var client = _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        var fields = SplitCcpWebFactory.HiddenInputs(await client.GetStringAsync("/setup"));
        fields["Input.Email"] = "first@msp.example";
        fields["Input.Password"] = "First-Operator-1";
        fields["Input.ConfirmPassword"] = "Something-else-2";

        var response = await client.PostAsync("/setup", new FormUrlEncodedContent(fields));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain("The two passwords differ.");
        (await ((UserDirectory)_app.Services.GetService(typeof(UserDirectory))!).AnyUserExistsAsync()).ShouldBeFalse();
    }

    public void Dispose() => _app.Dispose();
}
