using System.Net;

namespace SplitCcp.Core.Aws;

public enum AwsFailureKind
{
    AccessDenied,
    Throttled,
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
    /// <summary>Throttling, server errors, timeouts and an unreachable endpoint are worth retrying with back-off; the rest are not.</summary>
    public bool IsTransient => Kind is AwsFailureKind.Throttled or AwsFailureKind.ServiceError or AwsFailureKind.Timeout or AwsFailureKind.Unreachable;

    private static readonly HashSet<string> s_throttling = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
        "RequestLimitExceededException", "SlowDown", "RequestThrottled", "RequestThrottledException", "LimitExceededException",
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

    /// <summary>Classifies an AWS error response by its error code, falling back to the HTTP status.</summary>
    public static AwsFailure FromError(string service, string action, string? resource, HttpStatusCode status, string? code, string? awsMessage)
    {
        // JSON services send "prefix#Code" in the body or "Code:uri" in x-amzn-ErrorType: keep just the code.
        code = code?.Split(':')[0].Split('#')[^1].Trim();
        var kind = code switch
        {
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
        return Create(kind, service, action, resource, awsMessage);
    }

    public static AwsFailure Timeout(string service, string action, string? resource, TimeSpan after) =>
        new(AwsFailureKind.Timeout, service, action, resource,
            $"{service} did not answer {action} within {after.TotalSeconds:0} s. The portal tries again; if it keeps happening, check the network path to AWS.");

    public static AwsFailure Unreachable(string service, string action, string? resource, string endpoint) =>
        new(AwsFailureKind.Unreachable, service, action, resource,
            $"Could not reach {service} at {endpoint} for {action}. Check the tenant's endpoint URL and this server's network access to AWS.");

    private static AwsFailure Create(AwsFailureKind kind, string service, string action, string? resource, string? awsMessage)
    {
        var target = resource is null ? "" : $" on {resource}";
        var detail = string.IsNullOrWhiteSpace(awsMessage) ? "" : $" AWS said: {awsMessage.Trim()}";
        var message = kind switch
        {
            AwsFailureKind.AccessDenied =>
                $"AWS denied {service}:{action}{target}. Allow this action for the role or user the portal uses in the tenant's account (the onboarding template includes it).{detail}",
            AwsFailureKind.Throttled =>
                $"AWS is throttling {service} calls for this account ({action}). The portal slows down and retries; nothing needs doing unless it persists.",
            AwsFailureKind.NotFound => $"{resource ?? "The resource"} does not exist in {service} ({action}).{detail}",
            AwsFailureKind.Conflict => $"{service} refused {action}{target} because of its current state.{detail}",
            AwsFailureKind.ServiceError => $"{service} had an internal error on {action}{target}. The portal tries again.{detail}",
            _ => $"{service} refused a value in {action}{target}.{detail}",
        };
        return new AwsFailure(kind, service, action, resource, message);
    }
}
