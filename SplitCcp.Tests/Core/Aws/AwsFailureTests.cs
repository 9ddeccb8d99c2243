using System.Net;
using SplitCcp.Core.Aws;

namespace SplitCcp.Tests.Core.Aws;

public sealed class AwsFailureTests
{
    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "ThrottlingException", AwsFailureKind.Throttled)]
    [InlineData(HttpStatusCode.TooManyRequests, null, AwsFailureKind.Throttled)]
    [InlineData(HttpStatusCode.BadRequest, "RequestLimitExceededException", AwsFailureKind.Throttled)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "SlowDown", AwsFailureKind.Throttled)]
    [InlineData(HttpStatusCode.Forbidden, "AccessDeniedException", AwsFailureKind.AccessDenied)]
    [InlineData(HttpStatusCode.Forbidden, null, AwsFailureKind.AccessDenied)]
    [InlineData(HttpStatusCode.NotFound, "NoSuchEntity", AwsFailureKind.NotFound)]
    [InlineData(HttpStatusCode.BadRequest, "ResourceNotFoundException", AwsFailureKind.NotFound)]
    [InlineData(HttpStatusCode.Conflict, "EntityAlreadyExists", AwsFailureKind.Conflict)]
    [InlineData(HttpStatusCode.InternalServerError, "InternalServiceError", AwsFailureKind.ServiceError)]
    [InlineData(HttpStatusCode.BadGateway, null, AwsFailureKind.ServiceError)]
    [InlineData(HttpStatusCode.BadRequest, "ValidationException", AwsFailureKind.InvalidInput)]
    [InlineData(HttpStatusCode.BadRequest, "com.amazonaws.connect#ThrottlingException", AwsFailureKind.Throttled)]
    [InlineData(HttpStatusCode.BadRequest, "ResourceNotFoundException:http://internal.amazon.com/coral/", AwsFailureKind.NotFound)]
    public void FromError_CodeAndStatus_GiveTheKind(HttpStatusCode status, string? code, AwsFailureKind expected) =>
        AwsFailure.FromError("connect", "DescribeInstance", "instance/abc", status, code, "message").Kind.ShouldBe(expected);

    [Fact]
    public void FromError_AccessDenied_NamesTheActionAndResource()
    {
        var failure = AwsFailure.FromError("iam", "CreateRole", "role/SplitCcp-acme-Agent", HttpStatusCode.Forbidden, "AccessDenied",
            "User: arn:aws:sts::123456789012:assumed-role/SplitCcp/x is not authorized to perform: iam:CreateRole");

        failure.Message.ShouldStartWith("AWS denied iam:CreateRole on role/SplitCcp-acme-Agent.");
        failure.Message.ShouldContain("onboarding template");
        failure.Message.ShouldContain("not authorized to perform: iam:CreateRole");
        failure.IsTransient.ShouldBeFalse();
    }

    [Fact]
    public void FromError_Throttled_IsTransientAndSaysTheServiceAndAction()
    {
        var failure = AwsFailure.FromError("connect", "ListInstances", null, HttpStatusCode.TooManyRequests, null, null);

        failure.IsTransient.ShouldBeTrue();
        failure.Message.ShouldBe("AWS is throttling connect calls for this account (ListInstances). The portal slows down and retries; nothing needs doing unless it persists.");
    }

    [Theory]
    [InlineData(AwsFailureKind.Throttled, true)]
    [InlineData(AwsFailureKind.ServiceError, true)]
    [InlineData(AwsFailureKind.Timeout, true)]
    [InlineData(AwsFailureKind.Unreachable, true)]
    [InlineData(AwsFailureKind.AccessDenied, false)]
    [InlineData(AwsFailureKind.NotFound, false)]
    [InlineData(AwsFailureKind.InvalidInput, false)]
    [InlineData(AwsFailureKind.Conflict, false)]
    public void IsTransient_ByKind(AwsFailureKind kind, bool expected) =>
        new AwsFailure(kind, "s3", "PutObject", null, "m").IsTransient.ShouldBe(expected);

    [Fact]
    public void Timeout_SaysHowLongAndWhatToCheck()
    {
        var failure = AwsFailure.Timeout("appstream", "DescribeFleets", null, TimeSpan.FromSeconds(30));

        failure.Kind.ShouldBe(AwsFailureKind.Timeout);
        failure.Message.ShouldBe("appstream did not answer DescribeFleets within 30 s. The portal tries again; if it keeps happening, check the network path to AWS.");
    }
}
