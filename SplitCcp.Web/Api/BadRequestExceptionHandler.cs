using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace SplitCcp.Web.Api;

/// <summary>A body that is not valid JSON, or a parameter that does not parse, is the caller's mistake: 400 with the reason, not 500.</summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = bad.StatusCode,
                Title = "The request could not be read.",
                Detail = bad.InnerException is System.Text.Json.JsonException json ? $"The body is not valid JSON: {json.Message}"
                    // The exception handler has cleared the endpoint by now; the limit the server applied is still on the request.
                    : bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                        && httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } limit ? new RequestBodyLimit(limit).Detail
                    : bad.Message,
            },
        });
    }
}
