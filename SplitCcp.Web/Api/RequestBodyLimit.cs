using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace SplitCcp.Web.Api;

/// <summary>
/// The most an API endpoint reads from a request body, as endpoint metadata. Kestrel's own limit (30 MB) stays the outer
/// bound for everything else; an API route never needs that much, and reading it only costs the server.
/// </summary>
internal sealed record RequestBodyLimit(long Bytes) : IRequestSizeLimitMetadata
{
    /// <summary>Every API route but the spec's: a tenant, a user, a token request or a drift setting is a few hundred bytes.</summary>
    public static readonly RequestBodyLimit Api = new(64 * 1024);

    long? IRequestSizeLimitMetadata.MaxRequestBodySize => Bytes;

    public string Detail =>
        $"The body is larger than this route accepts: at most {(Bytes >= 1024 * 1024 ? $"{Bytes / (1024 * 1024)} MB" : $"{Bytes / 1024} KB")} ({Bytes} bytes).";
}

/// <summary>Applies the endpoint's <see cref="RequestBodyLimit"/>: a declared length over it is refused before a byte is read, a longer stream when it passes it.</summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequestBodyLimit>() is { } limit)
        {
            if (context.Request.ContentLength > limit.Bytes)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = { Status = StatusCodes.Status413PayloadTooLarge, Title = "The request body is too large.", Detail = limit.Detail },
                });
                return;
            }

            // A chunked body has no declared length: the server stops reading it at the limit (BadRequestExceptionHandler answers).
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit.Bytes;
            }
        }

        await next(context);
    }
}
