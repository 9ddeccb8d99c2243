using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Web.Api;

/// <summary>
/// An API request that the database refused for a storage reason (a read-only data folder, a full disk) answers a
/// problem-details 503 that says so, that nothing was saved and what to do, with Retry-After: not a bare 500.
/// Page requests are left to the error page, which tells the same.
/// </summary>
internal sealed class StorageExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    /// <summary>Long enough for an operator to free space or remount; the portal itself notices within seconds.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(60);

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!httpContext.Request.Path.StartsWithSegments("/api") || StorageFault.From(exception) is not { } fault)
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = fault.Title, Detail = fault.SaveRefusedDetail },
        });
    }
}
