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

    /// <summary>
    /// The codes AWS's service models declare for quotas and for throttling, service by service: the same words mean a quota
    /// in one service and throttling in another (AppStream's RequestLimitExceededException is EC2 throttling its Describe
    /// calls; its LimitExceededException is an account quota; Connect's LimitExceededException comes with HTTP 429).
    /// </summary>
    [Theory]
    [InlineData("appstream", HttpStatusCode.BadRequest, "LimitExceededException", AwsFailureKind.QuotaExceeded)]
    [InlineData("appstream", HttpStatusCode.BadRequest, "RequestLimitExceededException", AwsFailureKind.Throttled)]
    [InlineData("connect", HttpStatusCode.TooManyRequests, "LimitExceededException", AwsFailureKind.QuotaExceeded)]
    [InlineData("connect", HttpStatusCode.PaymentRequired, "ServiceQuotaExceededException", AwsFailureKind.QuotaExceeded)]
    [InlineData("connect", HttpStatusCode.TooManyRequests, "ThrottlingException", AwsFailureKind.Throttled)]
    [InlineData("connect", HttpStatusCode.TooManyRequests, "TooManyRequestsException", AwsFailureKind.Throttled)]
    [InlineData("iam", HttpStatusCode.Conflict, "LimitExceeded", AwsFailureKind.QuotaExceeded)]
    [InlineData("iam", HttpStatusCode.BadRequest, "Throttling", AwsFailureKind.Throttled)]
    [InlineData("sso", HttpStatusCode.BadRequest, "ServiceQuotaExceededException", AwsFailureKind.QuotaExceeded)]
    [InlineData("sso", HttpStatusCode.BadRequest, "ThrottlingException", AwsFailureKind.Throttled)]
    [InlineData("identitystore", HttpStatusCode.BadRequest, "ServiceQuotaExceededException", AwsFailureKind.QuotaExceeded)]
    [InlineData("cloudfront", HttpStatusCode.BadRequest, "TooManyDistributions", AwsFailureKind.QuotaExceeded)]
    [InlineData("cloudfront", HttpStatusCode.BadRequest, "TooManyOriginAccessControls", AwsFailureKind.QuotaExceeded)]
    public void FromError_QuotaOrThrottling_ByServiceAndCode(string service, HttpStatusCode status, string code, AwsFailureKind expected) =>
        AwsFailure.FromError(service, "CreateSomething", null, status, code, "message", "eu-west-2").Kind.ShouldBe(expected);

    [Fact]
    public void FromError_Quota_NamesTheQuotaWhereToRaiseItAndThatTheApplyStopped()
    {
        var failure = AwsFailure.FromError("appstream", "CreateStack", "stack acme-stack", HttpStatusCode.BadRequest, "LimitExceededException",
            "The requested limit exceeds the permitted limit for an account: 10 per stack.", "eu-west-2");

        failure.IsTransient.ShouldBeFalse();
        failure.Message.ShouldBe(
            "AWS refused appstream:CreateStack on stack acme-stack: the account has reached one of its quotas. " +
            "AWS said: The requested limit exceeds the permitted limit for an account: 10 per stack. " +
            "Raise that quota in the Service Quotas console (Amazon AppStream 2.0, region eu-west-2), or remove what counts against it if it cannot be raised, then apply again. " +
            "The portal does not retry a quota, so the apply stopped at this step.");
    }

    [Fact]
    public void FromError_QuotaOfAGlobalService_PointsAtTheRegionItIsSignedFor()
    {
        var failure = AwsFailure.FromError("iam", "AttachRolePolicy", "role SplitCcp-Agent", HttpStatusCode.Conflict, "LimitExceeded",
            "Cannot exceed quota for PoliciesPerRole: 10.", "us-east-1");

        failure.Message.ShouldContain("AWS said: Cannot exceed quota for PoliciesPerRole: 10.");
        failure.Message.ShouldContain("(AWS Identity and Access Management (IAM), region us-east-1)");
    }

    [Fact]
    public void FromError_QuotaWithoutARegion_SendsTheOperatorToTheTenantsRegion() =>
        AwsFailure.FromError("connect", "CreateUser", "user jane@acme.example", HttpStatusCode.TooManyRequests, "LimitExceededException", null, null)
            .Message.ShouldBe(
                "AWS refused connect:CreateUser on user jane@acme.example: the account has reached one of its quotas. " +
                "Raise that quota in the Service Quotas console (Amazon Connect, the tenant's region), or remove what counts against it if it cannot be raised, then apply again. " +
                "The portal does not retry a quota, so the apply stopped at this step.");

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

        // The operator reads this only once the retries are spent, so it must not say that all is well.
        failure.Message.ShouldBe(
            "AWS is throttling connect calls for this account (ListInstances) and went on doing so while the portal slowed down and retried, so the call did not go through. " +
            "Try again in a few minutes (drift checks do by themselves); if it keeps happening, something else in the account is using up the same API rate.");
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
    [InlineData(AwsFailureKind.QuotaExceeded, false)]
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
