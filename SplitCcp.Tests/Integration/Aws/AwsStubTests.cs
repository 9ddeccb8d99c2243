using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Aws.Signed;

namespace SplitCcp.Tests.Integration.Aws;

/// <summary>The stub is only worth its happy paths if it refuses what AWS refuses: these prove its signature check bites.</summary>
public sealed class AwsStubTests : IAsyncLifetime
{
    private const string Target = "PhotonAdminProxyService.DescribeStacks";
    private AwsStub _stub = default!;

    public async Task InitializeAsync()
    {
        _stub = await AwsStub.StartAsync();
        _stub.OnTarget("appstream", Target, _ => StubReply.Json(new { Stacks = Array.Empty<object>() }));
    }

    public async Task DisposeAsync() => await _stub.DisposeAsync();

    /// <summary>Signs a DescribeStacks request as the client does, lets the test spoil one thing, and sends it.</summary>
    private async Task<(HttpStatusCode Status, string? Type)> SendAsync(
        Action<Dictionary<string, string>>? tamperHeaders = null, string body = "{}", string? sentBody = null, string secret = AwsStub.SecretKey,
        DateTimeOffset? signedAt = null, string service = "appstream", string region = AwsStub.Region)
    {
        var headers = SigV4.SignedHeaders(HttpMethod.Post, _stub.Endpoint,
            new Dictionary<string, string> { ["Content-Type"] = AwsStub.JsonRpcContentType, ["X-Amz-Target"] = Target },
            Encoding.UTF8.GetBytes(body), new ImmutableCredentials(AwsStub.AccessKey, secret, null), region, service, signedAt ?? DateTimeOffset.UtcNow);
        tamperHeaders?.Invoke(headers);
        using var request = new HttpRequestMessage(HttpMethod.Post, _stub.Endpoint) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(sentBody ?? body)) };
        foreach (var (name, value) in headers)
        {
            if (name == "Content-Type")
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else if (name != "Host")
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await AwsTestKit.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        return (response.StatusCode, json.RootElement.TryGetProperty("__type", out var type) ? type.GetString()!.Split('#')[^1] : null);
    }

    [Fact]
    public async Task Stub_RightlySignedRequest_IsAnswered()
    {
        (await SendAsync()).ShouldBe((HttpStatusCode.OK, null));
        _stub.CallsTo(Target).Length.ShouldBe(1);
    }

    [Fact]
    public async Task Stub_TamperedSignature_IsRefusedWithInvalidSignatureException()
    {
        var result = await SendAsync(headers =>
        {
            var auth = headers["Authorization"];
            var last = auth[^1] == '0' ? '1' : '0';
            headers["Authorization"] = auth[..^1] + last;
        });

        result.ShouldBe((HttpStatusCode.Forbidden, "InvalidSignatureException"));
        _stub.Calls.ShouldBeEmpty("a refused request never reaches the operation");
    }

    [Fact]
    public async Task Stub_BodyChangedAfterSigning_IsRefused() =>
        (await SendAsync(body: """{"Names":["a"]}""", sentBody: """{"Names":["b"]}""")).ShouldBe((HttpStatusCode.Forbidden, "InvalidSignatureException"));

    [Fact]
    public async Task Stub_TargetChangedAfterSigning_IsRefused() =>
        (await SendAsync(headers => headers["X-Amz-Target"] = "PhotonAdminProxyService.DescribeFleets")).ShouldBe((HttpStatusCode.Forbidden, "InvalidSignatureException"));

    [Fact]
    public async Task Stub_WrongSecret_IsRefused() =>
        (await SendAsync(secret: "not-the-secret")).ShouldBe((HttpStatusCode.Forbidden, "InvalidSignatureException"));

    [Fact]
    public async Task Stub_StaleDate_IsRefusedEvenWhenTheSignatureMatchesIt() =>
        (await SendAsync(signedAt: DateTimeOffset.UtcNow - AwsStub.MaxClockSkew - TimeSpan.FromMinutes(1))).ShouldBe((HttpStatusCode.Forbidden, "InvalidSignatureException"));

    [Fact]
    public async Task Stub_MissingDate_IsRefused() =>
        (await SendAsync(headers => headers.Remove(SigV4.DateHeader))).ShouldBe((HttpStatusCode.Forbidden, "InvalidSignatureException"));

    [Fact]
    public async Task Stub_OtherRegionInTheScope_IsRefused() =>
        (await SendAsync(region: "us-west-2")).ShouldBe((HttpStatusCode.Forbidden, "InvalidSignatureException"));

    [Fact]
    public async Task Stub_OperationOfAnotherService_IsUnknown() =>
        (await SendAsync(service: "sso")).ShouldBe((HttpStatusCode.BadRequest, "UnknownOperationException"));

    [Fact]
    public async Task Gateway_WrongSecret_IsAccessDeniedNamingTheAction()
    {
        var gateway = new AppStreamGateway(AwsTestKit.StubClient(_stub, new BasicAWSCredentials(AwsStub.AccessKey, "not-the-secret")), AwsTestKit.Caller());

        var ex = await Should.ThrowAsync<AwsCallException>(() => gateway.DescribeStackAsync("ccp", CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.AccessDenied);
        ex.Failure.Message.ShouldContain("appstream:DescribeStacks");
        ex.Failure.Message.ShouldNotContain("not-the-secret");
    }

    [Fact]
    public async Task Gateway_SessionCredentials_SendTheSignedToken()
    {
        _stub.RequiredSessionToken = "session-token-from-sts";
        var session = new SessionAWSCredentials(AwsStub.AccessKey, AwsStub.SecretKey, "session-token-from-sts");

        var stack = await new AppStreamGateway(AwsTestKit.StubClient(_stub, session), AwsTestKit.Caller()).DescribeStackAsync("ccp", CancellationToken.None);

        stack.ShouldBeNull();
        _stub.CallsTo(Target).Single().Headers[SigV4.SecurityTokenHeader].ShouldBe("session-token-from-sts");
    }
}
