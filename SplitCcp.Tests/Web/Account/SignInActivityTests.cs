using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Account;

/// <summary>Each password sign-in through the real form, recorded in the identity activity with the address it came from.</summary>
public sealed class SignInActivityTests : IDisposable
{
    private const string Address = "198.51.100.23";

    private readonly SplitCcpWebFactory _app = new SplitCcpWebFactory().WithClientAddress(Address);

    [Fact]
    public async Task SignIn_RightPassword_RecordsSuccessByThatUser()
    {
        var user = await _app.CreateUserAsync("lead@acme.example", Roles.TenantAdmin);

        (await SignInAsync(user.Email, user.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var success = (await EventsAsync(IdentityEventKind.SignInSucceeded)).ShouldHaveSingleItem();
        success.ActorId.ShouldBe(user.Id);
        success.Actor.ShouldBe("lead@acme.example");
        success.SubjectId.ShouldBe(user.Id);
        success.Subject.ShouldBe("lead@acme.example");
        success.RemoteAddress.ShouldBe(Address);
        success.Summary.ShouldBe("Signed in with a password.");
    }

    [Fact]
    public async Task SignIn_WrongPassword_RecordsAFailureAgainstTheAccountByNoOneKnown()
    {
        var user = await _app.CreateUserAsync("lead@acme.example", Roles.TenantAdmin);

        await SignInAsync(user.Email, "Wrong-Passw0rd-xx");

        var failure = (await EventsAsync(IdentityEventKind.SignInFailed)).ShouldHaveSingleItem();
        failure.ActorId.ShouldBeNull("a wrong password proves no one's identity");
        failure.Actor.ShouldBe("lead@acme.example");
        failure.SubjectId.ShouldBe(user.Id);
        failure.RemoteAddress.ShouldBe(Address);
        failure.Summary.ShouldBe("Wrong password.");
    }

    [Fact]
    public async Task SignIn_UnknownEmail_RecordsAFailureAgainstNoAccount()
    {
        await SignInAsync("nobody@example.com", "Wrong-Passw0rd-xx");

        var failure = (await EventsAsync(IdentityEventKind.SignInFailed)).ShouldHaveSingleItem();
        failure.Actor.ShouldBe("nobody@example.com");
        failure.SubjectId.ShouldBeNull();
        failure.Subject.ShouldBeNull();
        failure.RemoteAddress.ShouldBe(Address);
        failure.Summary.ShouldBe("Refused: no account has this e-mail.");
    }

    [Fact]
    public async Task SignIn_FifthWrongPassword_RecordsTheLockOut_AndLaterAttemptsAsRefused()
    {
        var user = await _app.CreateUserAsync("target@example.com", Roles.Viewer);
        for (var i = 0; i < 5; i++)
        {
            await SignInAsync(user.Email, "Wrong-Passw0rd-xx");
        }

        await SignInAsync(user.Email, user.Password);

        var lockOut = (await EventsAsync(IdentityEventKind.LockedOut)).ShouldHaveSingleItem();
        lockOut.SubjectId.ShouldBe(user.Id);
        lockOut.RemoteAddress.ShouldBe(Address);
        lockOut.Summary.ShouldMatch(@"^Locked until \d{4}-\d\d-\d\d \d\d:\d\d UTC after 5 failed sign-ins in a row\.$");
        var failures = await EventsAsync(IdentityEventKind.SignInFailed);
        failures.Select(e => e.Summary).ShouldBe([$"Refused: the account is locked until {lockOut.Summary[13..33]}.", .. Enumerable.Repeat("Wrong password.", 5)]);
        failures[0].Id.ShouldBeGreaterThan(lockOut.Id);
        (await EventsAsync(IdentityEventKind.SignInSucceeded)).ShouldBeEmpty();
    }

    [Fact]
    public async Task SignIn_DisabledAccount_RecordsTheRefusal()
    {
        var user = await _app.CreateUserAsync("gone@example.com", Roles.Viewer);
        await _app.Services.GetRequiredService<UserDirectory>().UpdateAsync(_app.Operator(), user.Id, new UserInput { Email = user.Email, Role = Roles.Viewer, IsDisabled = true });

        await SignInAsync(user.Email, user.Password);

        var failure = (await EventsAsync(IdentityEventKind.SignInFailed)).ShouldHaveSingleItem();
        failure.SubjectId.ShouldBe(user.Id);
        failure.Summary.ShouldBe("Refused: the account is disabled.");
    }

    private Task<HttpResponseMessage> SignInAsync(string email, string password) =>
        SplitCcpWebFactory.SubmitLoginAsync(_app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true }), email, password);

    private async Task<IReadOnlyList<IdentityEventRecord>> EventsAsync(IdentityEventKind kind)
    {
        var scope = await _app.Services.GetRequiredService<ITenantAccess>().GetScopeAsync(_app.Operator());
        return (await _app.Services.GetRequiredService<IdentityAudit>().ListAsync(scope, new IdentityEventQuery(kind, PageSize: 50))).Items;
    }

    public void Dispose() => _app.Dispose();
}
