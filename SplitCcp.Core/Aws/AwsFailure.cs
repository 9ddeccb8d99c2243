using System.Net;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Core.Aws;

public enum AwsFailureKind
{
    AccessDenied,
    Throttled,

    /// <summary>The account (or the resource) has reached a quota: retrying cannot help until the operator raises it.</summary>
    QuotaExceeded,
    NotFound,
    InvalidInput,
    Conflict,
    ServiceError,
    Timeout,
    Unreachable,
}

/// <summary>
/// An AWS call that failed, in the words an operator can act on. Gateways turn AWS's error codes into one of these;
/// the UI and API show <see cref="Message"/>, never a stack trace.
/// </summary>
public sealed record AwsFailure(AwsFailureKind Kind, string Service, string Action, string? Resource, string Message)
{
    /// <summary>Throttling, server errors, timeouts and an unreachable endpoint are worth retrying with back-off; the rest (a quota among them) are not.</summary>
    public bool IsTransient => Kind is AwsFailureKind.Throttled or AwsFailureKind.ServiceError or AwsFailureKind.Timeout or AwsFailureKind.Unreachable;

    private static readonly HashSet<string> s_throttling = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
        "RequestLimitExceededException", "SlowDown", "RequestThrottled", "RequestThrottledException",
    };

    /// <summary>
    /// The codes AWS's service models declare for a quota, per service. The same words mean other things elsewhere (AppStream's
    /// RequestLimitExceededException is EC2 throttling its Describe calls; Connect sends its LimitExceededException with the
    /// 429 of throttling), so a code is a quota only for the services listed here, and this is read before the throttling codes.
    /// </summary>
    private static readonly Dictionary<string, HashSet<string>> s_quota = new(StringComparer.Ordinal)
    {
        [AwsServices.Connect] = new(StringComparer.Ordinal) { "LimitExceededException", "ServiceQuotaExceededException" },
        [AwsServices.AppStream] = new(StringComparer.Ordinal) { "LimitExceededException" },
        [AwsServices.Iam] = new(StringComparer.Ordinal) { "LimitExceeded" },
        [AwsServices.IdentityCenter] = new(StringComparer.Ordinal) { "ServiceQuotaExceededException" },
        [AwsServices.IdentityStore] = new(StringComparer.Ordinal) { "ServiceQuotaExceededException" },
        [AwsServices.CloudFront] = new(StringComparer.Ordinal) { "TooManyDistributions", "TooManyOriginAccessControls" },
    };

    /// <summary>The services as the Service Quotas console lists them, where the operator raises a quota.</summary>
    private static readonly Dictionary<string, string> s_quotaConsoleNames = new(StringComparer.Ordinal)
    {
        [AwsServices.Connect] = "Amazon Connect",
        [AwsServices.AppStream] = "Amazon AppStream 2.0",
        [AwsServices.Iam] = "AWS Identity and Access Management (IAM)",
        [AwsServices.IdentityCenter] = "AWS IAM Identity Center",
        [AwsServices.IdentityStore] = "AWS IAM Identity Center",
        [AwsServices.CloudFront] = "Amazon CloudFront",
    };

    private static readonly HashSet<string> s_accessDenied = new(StringComparer.Ordinal)
    {
        "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException", "AuthorizationError",
        "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException",
    };

    private static readonly HashSet<string> s_notFound = new(StringComparer.Ordinal)
    {
        "ResourceNotFoundException", "NoSuchEntity", "NoSuchBucket", "NoSuchKey", "NotFoundException", "EntityNotFoundException",
        "NoSuchOriginAccessControl", "NoSuchDistribution", "NoSuchBucketPolicy",
    };

    private static readonly HashSet<string> s_conflict = new(StringComparer.Ordinal)
    {
        "ResourceConflictException", "ConflictException", "EntityAlreadyExists", "ResourceAlreadyExistsException", "BucketAlreadyExists",
        "BucketAlreadyOwnedByYou", "DuplicateResourceException", "ResourceInUseException", "ConcurrentModificationException",
        "ConcurrentModification", "OperationNotPermittedException", "DeleteConflict",
    };

    /// <summary>Classifies an AWS error response by its service and error code, falling back to the HTTP status.</summary>
    /// <param name="region">
    /// The region the call was signed for (us-east-1 for a global service such as IAM): where the Service Quotas console shows
    /// the service's quotas. Null when not known; a quota's message then points at the tenant's region.
    /// </param>
    public static AwsFailure FromError(string service, string action, string? resource, HttpStatusCode status, string? code, string? awsMessage, string? region = null)
    {
        // JSON services send "prefix#Code" in the body or "Code:uri" in x-amzn-ErrorType: keep just the code.
        code = code?.Split(':')[0].Split('#')[^1].Trim();
        var kind = code switch
        {
            _ when code is not null && s_quota.TryGetValue(service, out var quotas) && quotas.Contains(code) => AwsFailureKind.QuotaExceeded,
            _ when code is not null && s_throttling.Contains(code) => AwsFailureKind.Throttled,
            _ when code is not null && s_accessDenied.Contains(code) => AwsFailureKind.AccessDenied,
            _ when code is not null && s_notFound.Contains(code) => AwsFailureKind.NotFound,
            _ when code is not null && s_conflict.Contains(code) => AwsFailureKind.Conflict,
            _ when status == HttpStatusCode.TooManyRequests => AwsFailureKind.Throttled,
            _ when status is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => AwsFailureKind.AccessDenied,
            _ when status == HttpStatusCode.NotFound => AwsFailureKind.NotFound,
            _ when status == HttpStatusCode.Conflict => AwsFailureKind.Conflict,
            _ when (int)status >= 500 => AwsFailureKind.ServiceError,
            _ => AwsFailureKind.InvalidInput,
        };
        return Create(kind, service, action, resource, awsMessage, region);
    }

    public static AwsFailure Timeout(string service, string action, string? resource, TimeSpan after) =>
        new(AwsFailureKind.Timeout, service, action, resource,
            $"{service} did not answer {action} within {after.TotalSeconds:0} s. The portal tries again; if it keeps happening, check the network path to AWS.");

    public static AwsFailure Unreachable(string service, string action, string? resource, string endpoint) =>
        new(AwsFailureKind.Unreachable, service, action, resource,
            $"Could not reach {service} at {endpoint} for {action}. Check the tenant's endpoint URL and this server's network access to AWS.");

    private static AwsFailure Create(AwsFailureKind kind, string service, string action, string? resource, string? awsMessage, string? region)
    {
        var target = resource is null ? "" : $" on {resource}";
        var detail = string.IsNullOrWhiteSpace(awsMessage) ? "" : $" AWS said: {awsMessage.Trim()}";

        // For the sentences that follow AWS's own words, which do not always end a sentence.
        var said = detail.Length == 0 || detail.EndsWith('.') ? detail : detail + ".";
        var message = kind switch
        {
            AwsFailureKind.AccessDenied =>
                $"AWS denied {service}:{action}{target}. Allow this action for the role or user the portal uses in the tenant's account (the onboarding template includes it).{detail}",
            // Read only once the retries are spent (or in a drift check that could not finish), so it says what to do next.
            AwsFailureKind.Throttled =>
                $"AWS is throttling {service} calls for this account ({action}) and went on doing so while the portal slowed down and retried, so the call did not go through. " +
                "Try again in a few minutes (drift checks do by themselves); if it keeps happening, something else in the account is using up the same API rate.",
            AwsFailureKind.QuotaExceeded =>
                $"AWS refused {service}:{action}{target}: the account has reached one of its quotas.{said} " +
                $"Raise that quota in the Service Quotas console ({s_quotaConsoleNames.GetValueOrDefault(service, service)}, {(region is null ? "the tenant's region" : $"region {region}")}), " +
                "or remove what counts against it if it cannot be raised, then apply again. The portal does not retry a quota, so the apply stopped at this step.",
            AwsFailureKind.NotFound => $"{resource ?? "The resource"} does not exist in {service} ({action}).{detail}",
            AwsFailureKind.Conflict => $"{service} refused {action}{target} because of its current state.{detail}",
            AwsFailureKind.ServiceError => $"{service} had an internal error on {action}{target}. The portal tries again.{detail}",
            _ => $"{service} refused a value in {action}{target}.{detail}",
        };
        return new AwsFailure(kind, service, action, resource, message);
    }
}
