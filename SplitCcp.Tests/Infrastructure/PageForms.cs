using System.Net;
using System.Text.RegularExpressions;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>Reads the statically rendered account pages as a browser would submit them.</summary>
internal static partial class PageForms
{
    /// <summary>The hidden fields (antiforgery token, form name) of the one form on the page named <paramref name="handler"/>.</summary>
    public static Dictionary<string, string> Fields(string html, string handler) => SplitCcpWebFactory.HiddenInputs(FormNamed(html, handler));

    /// <summary>The text of the element with this data-testid, tags removed.</summary>
    public static string? TestIdText(string html, string testId)
    {
        var match = Regex.Match(html, $"""<(?<tag>\w+)[^>]*data-testid="{Regex.Escape(testId)}"[^>]*>(?<inner>.*?)</\k<tag>>""", RegexOptions.Singleline);
        return match.Success ? WebUtility.HtmlDecode(Regex.Replace(match.Groups["inner"].Value, "<[^>]+>", " ")).Trim() : null;
    }

    /// <summary>Posts the form named <paramref name="handler"/> on the page at <paramref name="path"/> with these values.</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string path, string handler, IReadOnlyDictionary<string, string> values)
    {
        var form = FormNamed(await client.GetStringAsync(path), handler);
        var fields = SplitCcpWebFactory.HiddenInputs(form);
        foreach (var (key, value) in values)
        {
            // Only fields the form has: a name the page does not render would bind here and never in a browser.
            form.ShouldContain($"name=\"{key}\"", customMessage: $"the form {handler} has no field {key}");
            fields[key] = value;
        }

        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    private static string FormNamed(string html, string handler) =>
        Form().Matches(html).Select(m => m.Value).SingleOrDefault(f => f.Contains($"value=\"{handler}\"", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No form named {handler} on the page: {html}");

    [GeneratedRegex("<form[^>]*>.*?</form>", RegexOptions.Singleline)]
    private static partial Regex Form();
}
