using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>
/// Checks what agents actually get: the CCP pages and connect-streams.js fetched from the address agents load them from,
/// compared by SHA-256 with what the portal publishes, and the hosting origin among the instance's approved origins.
/// The fetches are plain HTTPS (<see cref="IAwsAccount.PublishedSite"/>), not AWS API calls, and the approved origin is
/// read from the plan, which has just listed them: the checks add no AWS call to a drift check.
/// </summary>
public sealed partial class SyntheticChecks(ILogger<SyntheticChecks> logger)
{
    public const string AudioOnlyPageKey = "check/audio-only-page";
    public const string InSessionPageKey = "check/in-session-page";
    public const string ConnectStreamsKey = "check/connect-streams";
    public const string ApprovedOriginKey = "check/approved-origin";

    private const string ApprovedOriginTitle = "Pages' origin among Connect's approved origins";

    private static readonly (string Key, string FileName)[] s_files =
    [
        (AudioOnlyPageKey, SetupValues.AudioOnlyPageName),
        (InSessionPageKey, SetupValues.InSessionPageName),
        (ConnectStreamsKey, SetupValues.ConnectStreamsName),
    ];

    /// <summary>The plan resource a synthetic check looks at from the agents' side; null for a key that is no check.</summary>
    internal static string? ResourceOf(string checkKey) =>
        checkKey == ApprovedOriginKey ? ResourceKeys.ConnectApprovedOrigin
        : s_files.FirstOrDefault(f => f.Key == checkKey) is { FileName: { } fileName } ? ResourceKeys.CcpObject(fileName)
        : null;

    internal async Task<IReadOnlyList<DriftResource>> RunAsync(ReconcileContext context, Plan plan, CancellationToken ct)
    {
        var items = plan.Items.ToDictionary(i => i.Key, StringComparer.Ordinal);
        var notReady = WhyHostingCannotBeChecked(context, items);
        var files = await Task.WhenAll(s_files.Select(f => CheckFileAsync(context, items, notReady, f.Key, f.FileName, ct)));
        return [.. files, CheckApprovedOrigin(context, items)];
    }

    private async Task<DriftResource> CheckFileAsync(
        ReconcileContext context, Dictionary<string, PlanItem> items, string? notReady, string key, string fileName, CancellationToken ct)
    {
        var title = $"{fileName} as agents load it";
        if (notReady is not null)
        {
            return new(key, title, DriftState.NotChecked, [], notReady);
        }

        PublishedFile expected;
        try
        {
            expected = PublishedFile.For(context, fileName);
        }
        catch (InvalidOperationException ex)
        {
            return new(key, title, DriftState.NotChecked, [], ex.Message);
        }

        // Where agents load it: the pages' origin and the file's name (AudioOnlyUrl and InSessionUrl are built the same way).
        var url = $"{context.Values.HostingOrigin}/{fileName}";
        var answer = await context.Aws.PublishedSite.GetAsync(new Uri(url), ct);
        var stored = items.GetValueOrDefault(ResourceKeys.CcpObject(fileName));
        var cloudFront = context.Spec.Hosting.Mode == HostingMode.CloudFront;
        switch (answer)
        {
            case SiteAnswer.NotFetched notFetched:
                return new(key, title, DriftState.NotChecked, [], notFetched.Reason);
            case SiteAnswer.Unreachable unreachable:
                LogUnreachable(logger, context.Tenant.Id, url, unreachable.Reason);
                return new(key, title, DriftState.Error, [], $"Agents' browsers cannot load {url}: {unreachable.Reason}.");
            case SiteAnswer.Served { StatusCode: >= 200 and < 300 } served:
                List<FieldChange> changes = [];
                if (!string.Equals(served.Sha256, expected.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    changes.Add(new("sha256", expected.Sha256, served.Sha256));
                }

                if (!SameContentType(expected.ContentType, served.ContentType))
                {
                    changes.Add(new("contentType", expected.ContentType, served.ContentType));
                }

                return changes.Count == 0
                    ? new(key, title, DriftState.InSync, [], null)
                    : new(key, title, DriftState.Drifted, changes, DriftedMessage(url, fileName, stored, cloudFront));
            case SiteAnswer.Served { StatusCode: (int)HttpStatusCode.NotFound }:
                return new(key, title, DriftState.Missing, [new("sha256", expected.Sha256, null)],
                    $"{url} answers 404 Not Found: agents get no {fileName}. Apply to publish it.");
            case SiteAnswer.Served { StatusCode: (int)HttpStatusCode.Forbidden } when stored is { Observed: true, Action: PlanAction.Create }:
                return new(key, title, DriftState.Missing, [new("sha256", expected.Sha256, null)],
                    $"{url} answers 403 Forbidden because {fileName} is not in the bucket (S3 answers 403 rather than 404 to a reader who may not list the bucket). Apply to publish it.");
            case SiteAnswer.Served { StatusCode: (int)HttpStatusCode.Forbidden }:
                // The check ran and found agents refused: the setup is out of line (a policy, a setting), not AWS unable to answer.
                return new(key, title, DriftState.Drifted, [new("status", "200 OK", "403 Forbidden")],
                    $"{url} answers 403 Forbidden, so agents cannot load {fileName}. {AccessHint(cloudFront)}");
            case SiteAnswer.Served { StatusCode: >= 500 } failed:
                return new(key, title, DriftState.Error, [], $"{url} answers {Describe(failed.StatusCode)}. {ServerHint(cloudFront)}");
            case SiteAnswer.Served other:
                return new(key, title, DriftState.Error, [], $"{url} answers {Describe(other.StatusCode)}, so agents cannot load {fileName}.");
            default:
                throw new InvalidOperationException($"Unknown answer {answer}.");
        }
    }

    /// <summary>
    /// Why nothing is fetched yet: the address is unknown, or the bucket or distribution that would serve it does not exist
    /// (or was not looked at). A hosting resource that was read and found changed is still fetched: the fetch shows what that does.
    /// </summary>
    private static string? WhyHostingCannotBeChecked(ReconcileContext context, Dictionary<string, PlanItem> items)
    {
        if (context.Values.HostingOrigin is null)
        {
            return "The pages' address is not known yet: set the CloudFront domain in the setup, or let the portal create the distribution.";
        }

        foreach (var key in new[] { ResourceKeys.Bucket, ResourceKeys.Distribution })
        {
            switch (items.GetValueOrDefault(key))
            {
                case { Action: PlanAction.Create } missing:
                    return $"{missing.Title} does not exist yet{(missing.Reason is null ? "" : $" ({missing.Reason})")}: nothing serves the pages. Apply first.";
                case { Action: PlanAction.Blocked, Observed: false } blocked:
                    return $"{blocked.Title} cannot be checked yet: {blocked.Reason}";
            }
        }

        return null;
    }

    private static DriftResource CheckApprovedOrigin(ReconcileContext context, Dictionary<string, PlanItem> items)
    {
        if (context.Values.HostingOrigin is not { } origin)
        {
            return new(ApprovedOriginKey, ApprovedOriginTitle, DriftState.NotChecked, [],
                "The pages' address is not known yet, so there is no origin to look for.");
        }

        // The plan has just listed the instance's approved origins for the same origin: its outcome is the answer.
        return items.GetValueOrDefault(ResourceKeys.ConnectApprovedOrigin) switch
        {
            null => new(ApprovedOriginKey, ApprovedOriginTitle, DriftState.NotChecked, [], "The setup has no approved origin to check."),
            { Unreadable: true } unreadable => new(ApprovedOriginKey, ApprovedOriginTitle, DriftState.Error, [], unreadable.Reason),
            { Observed: true, Action: PlanAction.InSync } => new(ApprovedOriginKey, ApprovedOriginTitle, DriftState.InSync, [], null),
            { Observed: true, Action: PlanAction.Create } => new(ApprovedOriginKey, ApprovedOriginTitle, DriftState.Missing, [new("origin", origin, null)],
                $"{origin} is not among the approved origins of the Connect instance, so Connect will not load the CCP inside the pages. Apply to add it."),
            var other => new(ApprovedOriginKey, ApprovedOriginTitle, DriftState.NotChecked, [], other.Reason ?? "The Connect instance cannot be checked yet."),
        };
    }

    private static string DriftedMessage(string url, string fileName, PlanItem? stored, bool cloudFront) => stored switch
    {
        { Observed: true, Action: PlanAction.InSync } when cloudFront =>
            $"Agents get a different {fileName} from {url} than the portal published, though the bucket holds the right one: CloudFront is probably serving a cached copy. Invalidate /{fileName} on the distribution, or wait for its cache to expire.",
        { Observed: true, Action: PlanAction.Update } =>
            $"Agents get a different {fileName} from {url} than the portal published, and the bucket holds that one too. Apply to publish it again.",
        _ => $"Agents get a different {fileName} from {url} than the portal published.",
    };

    private static string AccessHint(bool cloudFront) => cloudFront
        ? "Check that the bucket policy lets the CloudFront distribution read the bucket through its origin access control (AWS:SourceArn naming the distribution), and that the distribution is enabled."
        : "Check that the bucket policy lets everyone read (s3:GetObject) and that Block Public Access, on the bucket or on the whole account, does not restrict it.";

    private static string ServerHint(bool cloudFront) => cloudFront
        ? "CloudFront or the bucket behind it failed to answer (a 502 means the distribution cannot reach its origin, which must be the bucket's S3 address); the next check tries again."
        : "S3 failed to answer; the next check tries again.";

    /// <summary>Same media type and charset, as a browser reads them; other parameters and case do not matter.</summary>
    private static bool SameContentType(string expected, string? actual) =>
        MediaTypeHeaderValue.TryParse(expected, out var want) && MediaTypeHeaderValue.TryParse(actual, out var got)
        && string.Equals(want.MediaType, got.MediaType, StringComparison.OrdinalIgnoreCase)
        && string.Equals(want.CharSet, got.CharSet, StringComparison.OrdinalIgnoreCase);

    private static string Describe(int status) =>
        Enum.IsDefined((HttpStatusCode)status) ? $"{status} {SplitWords(((HttpStatusCode)status).ToString())}" : status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string SplitWords(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? $" {c}" : c.ToString()));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Synthetic check of tenant {TenantId}: agents' browsers cannot load {Url}: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, Guid tenantId, string url, string reason);
}
