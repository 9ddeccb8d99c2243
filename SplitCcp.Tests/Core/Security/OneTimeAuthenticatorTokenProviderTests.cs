using System.Text;
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
}
