using Amazon.Runtime;
using SplitCcp.Core.Aws.Signed;

namespace SplitCcp.Tests.Core.Aws;

/// <summary>The signer against AWS's published SigV4 examples (the signature test suite and the IAM ListUsers example).</summary>
public sealed class SigV4Tests
{
    private static readonly ImmutableCredentials s_example = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    private static readonly DateTime s_signedAt = new(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);
    private static readonly string s_emptyHash = SigV4.PayloadHash([]);

    private static Dictionary<string, string> Headers(string host, params (string, string)[] more) =>
        new(more.Select(h => KeyValuePair.Create(h.Item1, h.Item2))) { ["Host"] = host, ["X-Amz-Date"] = "20150830T123600Z" };

    [Fact]
    public void Authorization_GetVanilla_IsTheSuitesSignature() =>
        SigV4.Authorization("GET", "/", "", Headers("example.amazonaws.com"), s_emptyHash, s_example, "us-east-1", "service", s_signedAt)
            .ShouldBe("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, "
                + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");

    [Fact]
    public void Authorization_GetVanillaQueryOrderKeyCase_SortsTheQuery() =>
        SigV4.Authorization("GET", "/", "?Param2=value2&Param1=value1", Headers("example.amazonaws.com"), s_emptyHash, s_example, "us-east-1", "service", s_signedAt)
            .ShouldEndWith("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");

    [Fact]
    public void Authorization_IamListUsersExample_IsTheDocumentedSignature() =>
        SigV4.Authorization("GET", "/", "?Action=ListUsers&Version=2010-05-08",
                Headers("iam.amazonaws.com", ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")), s_emptyHash, s_example, "us-east-1", "iam", s_signedAt)
            .ShouldBe("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, "
                + "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");

    [Fact]
    public void SignedHeaders_SessionCredentials_SignTheToken()
    {
        var session = new ImmutableCredentials("ASIAEXAMPLE", "secret", "the-session-token");

        var headers = SigV4.SignedHeaders(HttpMethod.Post, new Uri("https://appstream2.eu-west-2.amazonaws.com/"),
            new Dictionary<string, string> { ["X-Amz-Target"] = "PhotonAdminProxyService.DescribeFleets" }, "{}"u8, session, "eu-west-2", "appstream",
            new DateTimeOffset(s_signedAt));

        headers[SigV4.SecurityTokenHeader].ShouldBe("the-session-token");
        headers["Host"].ShouldBe("appstream2.eu-west-2.amazonaws.com");
        headers["Authorization"].ShouldContain("Credential=ASIAEXAMPLE/20150830/eu-west-2/appstream/aws4_request");
        headers["Authorization"].ShouldContain("SignedHeaders=host;x-amz-date;x-amz-security-token;x-amz-target");
    }

    [Theory]
    [InlineData("abc-_.~XYZ09", "abc-_.~XYZ09")]
    [InlineData("a b+c/d=e&f", "a%20b%2Bc%2Fd%3De%26f")]
    [InlineData("é", "%C3%A9")]
    public void Encode_KeepsOnlyUnreservedCharacters(string value, string encoded) => SigV4.Encode(value).ShouldBe(encoded);
}
