using System.Net;
using Amazon.Runtime;

namespace SplitCcp.Core.Aws.Gateways;

/// <summary>
/// What the gateways built on the official AWS SDK clients share: the client configuration for a region and an optional
/// emulator endpoint, and one way to run an SDK call through <see cref="IAwsCaller"/> with its errors turned into
/// <see cref="AwsFailure"/>s.
/// </summary>
internal static class AwsSdkCalls
{
    /// <summary>
    /// Points <paramref name="config"/> at <paramref name="region"/>, or at <paramref name="endpointUrl"/> (moto, LocalStack)
    /// signing for that region. The SDK's own retries are turned off: <see cref="IAwsCaller"/> retries, and counts every
    /// attempt against the rate limit, so the two would multiply.
    /// </summary>
    public static TConfig Configure<TConfig>(TConfig config, string region, string? endpointUrl)
        where TConfig : ClientConfig
    {
        // Setting ServiceURL clears RegionEndpoint, so the region goes first and the override after it.
        config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        if (!string.IsNullOrEmpty(endpointUrl))
        {
            config.ServiceURL = endpointUrl;
            config.AuthenticationRegion = region;
        }

        config.MaxErrorRetry = 0;
        return config;
    }

    /// <summary>Runs an SDK call through the caller; an AWS error becomes an <see cref="AwsCallException"/>.</summary>
    public static Task<T> CallSdkAsync<T>(this IAwsCaller caller, AwsOperation operation, string? resource,
        Func<CancellationToken, Task<T>> call, CancellationToken ct) =>
        caller.CallAsync(operation, resource, async token =>
        {
            try
            {
                return await call(token);
            }
            catch (AmazonServiceException ex)
            {
                throw ToCallException(operation, resource, ex);
            }
        }, ct);

    /// <summary>A read that answers null when AWS says the thing is not there (<paramref name="isAbsent"/>), instead of failing.</summary>
    public static Task<T?> ReadSdkAsync<T>(this IAwsCaller caller, AwsOperation operation, string? resource,
        Func<CancellationToken, Task<T?>> call, Func<AmazonServiceException, bool> isAbsent, CancellationToken ct)
        where T : class =>
        caller.CallAsync(operation, resource, async token =>
        {
            try
            {
                return await call(token);
            }
            catch (AmazonServiceException ex) when (isAbsent(ex))
            {
                return null;
            }
            catch (AmazonServiceException ex)
            {
                throw ToCallException(operation, resource, ex);
            }
        }, ct);

    /// <remarks>A connection that never got an answer is not an AmazonServiceException: the SDK lets the HttpRequestException through, and <see cref="AwsCaller"/> reports it as unreachable.</remarks>
    private static AwsCallException ToCallException(AwsOperation operation, string? resource, AmazonServiceException ex) =>
        new(AwsFailure.FromError(operation.Service, operation.Name, resource, ex.StatusCode, ex.ErrorCode, ex.Message), ex);

    /// <summary>True for a 404 whatever the code: HEAD responses have no body, so S3 cannot say NoSuchKey or NoSuchBucket there.</summary>
    public static bool IsNotFoundStatus(AmazonServiceException ex) => ex.StatusCode == HttpStatusCode.NotFound;
}
