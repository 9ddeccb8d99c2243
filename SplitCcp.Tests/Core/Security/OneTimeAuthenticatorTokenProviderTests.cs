using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;

namespace SplitCcp.Tests.Core.Security;

public sealed class OneTimeAuthenticatorTokenProviderTests
{
    // RFC 6238, appendix B: the SHA-1 key and times, their eight-digit codes' last six digits.
    [Theory]
    [InlineData(59L, "287082")]
    [InlineData(1111111109L, "081804")]
    [InlineData(1234567890L, "005924")]
    [InlineData(20000000000L, "353130")]
    public void Compute_GivesTheRfc6238TestVectors(long unixSeconds, string code) =>
        OneTimeAuthenticatorTokenProvider.Compute(Encoding.ASCII.GetBytes("12345678901234567890"), unixSeconds / 30).ShouldBe(code);

    [Fact]
    public void Base32Decode_ReadsTheKeyAsAnAppDoes()
    {
        OneTimeAuthenticatorTokenProvider.Base32Decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").ShouldBe(Encoding.ASCII.GetBytes("12345678901234567890"));
        OneTimeAuthenticatorTokenProvider.Base32Decode("gezdgnbv").ShouldBe(Encoding.ASCII.GetBytes("12345"));
        OneTimeAuthenticatorTokenProvider.Base32Decode("GEZ1").ShouldBeNull("1 is not in the base32 alphabet");
    }

    [Fact]
    public async Task Validate_TwoSignInsRacingWithOneCode_OnlyOneIsLetIn()
    {
        await using var host = await CoreTestHost.StartAsync();
        var created = await host.CreateUserAsync(Roles.Viewer);
        string key;
        await using (var setup = host.Services.CreateAsyncScope())
        {
            var users = setup.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = (await users.FindByIdAsync(created.View.Id))!;
            await users.ResetAuthenticatorKeyAsync(user);
            key = (await users.GetAuthenticatorKeyAsync(user))!;
        }

        var secret = OneTimeAuthenticatorTokenProvider.Base32Decode(key)!;
        var now = host.Time.GetUtcNow().ToUnixTimeSeconds() / 30;
        var provider = new OneTimeAuthenticatorTokenProvider(host.Time);
        await using (var earlier = host.Services.CreateAsyncScope())
        {
            var users = earlier.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            (await provider.ValidateAsync("TwoFactor", OneTimeAuthenticatorTokenProvider.Compute(secret, now - 1), users, (await users.FindByIdAsync(created.View.Id))!))
                .ShouldBeTrue("the code of a step ago signed in once");
        }

        // Two sign-ins with the current code race: both have read the account and its last step before either writes.
        // The first writes the step, which changes the account's concurrency stamp, so the second cannot write it, and
        // must not be let in on a code it could not take.
        var code = OneTimeAuthenticatorTokenProvider.Compute(secret, now);
        await using var first = host.Services.CreateAsyncScope();
        await using var second = host.Services.CreateAsyncScope();
        var firstUsers = first.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var secondUsers = second.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var firstUser = (await firstUsers.FindByIdAsync(created.View.Id))!;
        var secondUser = (await secondUsers.FindByIdAsync(created.View.Id))!;
        (await secondUsers.GetAuthenticationTokenAsync(secondUser, "[SplitCcp]", "AuthenticatorLastStep")).ShouldBe((now - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));

        (await provider.ValidateAsync("TwoFactor", code, firstUsers, firstUser)).ShouldBeTrue();
        (await provider.ValidateAsync("TwoFactor", code, secondUsers, secondUser)).ShouldBeFalse();
    }
}
