using System.Globalization;
using SplitCcp.Web.Metrics;

namespace SplitCcp.Tests.Web;

public sealed class PrometheusWriterTests
{
    [Fact]
    public void Sample_LabelValueWithBackslashQuoteAndLineFeed_EscapesEachAndReadsBackUnchanged()
    {
        const string nasty = "C:\\path \"quoted\"\nnext line";

        var text = new PrometheusWriter().Family("splitccp_test", PrometheusType.Gauge, "A test.").Sample(1, ("value", nasty)).ToString();

        text.ShouldContain("""splitccp_test{value="C:\\path \"quoted\"\nnext line"} 1""" + "\n");
        PrometheusScrape.Parse(text).Samples.ShouldHaveSingleItem().Labels["value"].ShouldBe(nasty);
    }

    [Fact]
    public void Family_HelpWithBackslashAndLineFeed_EscapesThemButNotQuotes()
    {
        var text = new PrometheusWriter().Family("splitccp_test", PrometheusType.Counter, "One \\ two\n\"three\"").ToString();

        text.ShouldBe("# HELP splitccp_test One \\\\ two\\n\"three\"\n# TYPE splitccp_test counter\n");
        PrometheusScrape.Parse(text).Help["splitccp_test"].ShouldBe("One \\ two\n\"three\"");
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(3, "3")]
    [InlineData(0.25, "0.25")]
    [InlineData(1234567.5, "1234567.5")]
    [InlineData(1e21, "1E+21")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    public void Format_AnyValue_InvariantAndAsPrometheusSpellsIt(double value, string expected)
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            // A comma for decimals must not leak in, whatever the server's culture.
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            CultureInfo.CurrentCulture = comma;

            PrometheusWriter.Format(value).ShouldBe(expected);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void Histogram_Snapshot_WritesCumulativeBucketsEndingWithInfThenSumAndCount()
    {
        var snapshot = new HistogramSnapshot([0.5, 1], [2, 3, 5], 7.25);

        var text = new PrometheusWriter().Family("splitccp_wait_seconds", PrometheusType.Histogram, "Waits.").Histogram(snapshot, ("service", "s3")).ToString();

        text.ShouldBe("""
            # HELP splitccp_wait_seconds Waits.
            # TYPE splitccp_wait_seconds histogram
            splitccp_wait_seconds_bucket{service="s3",le="0.5"} 2
            splitccp_wait_seconds_bucket{service="s3",le="1"} 3
            splitccp_wait_seconds_bucket{service="s3",le="+Inf"} 5
            splitccp_wait_seconds_sum{service="s3"} 7.25
            splitccp_wait_seconds_count{service="s3"} 5

            """.ReplaceLineEndings("\n"));
        PrometheusScrape.Parse(text).Validate();
    }

    [Fact]
    public void Family_WrittenTwice_Throws()
    {
        var text = new PrometheusWriter().Family("splitccp_test", PrometheusType.Gauge, "A test.").Sample(1);
        text.Family("splitccp_other", PrometheusType.Gauge, "Another.").Sample(2);

        Should.Throw<InvalidOperationException>(() => text.Family("splitccp_test", PrometheusType.Gauge, "Again."));
    }

    [Theory]
    [InlineData("splitccp-test")]
    [InlineData("1splitccp")]
    [InlineData("splitccp test")]
    [InlineData("")]
    public void Family_InvalidName_Throws(string name) =>
        Should.Throw<ArgumentException>(() => new PrometheusWriter().Family(name, PrometheusType.Gauge, "A test."));

    [Theory]
    [InlineData("service-name")]
    [InlineData("__reserved")]
    [InlineData("0label")]
    public void Sample_InvalidLabelName_Throws(string label) =>
        Should.Throw<ArgumentException>(() => new PrometheusWriter().Family("splitccp_test", PrometheusType.Gauge, "A test.").Sample(1, (label, "x")));

    [Fact]
    public void Histogram_LabelledLe_Throws() =>
        Should.Throw<ArgumentException>(() => new PrometheusWriter().Family("splitccp_test", PrometheusType.Histogram, "A test.")
            .Histogram(new HistogramSnapshot([1], [0, 0], 0), ("le", "1")));

    [Fact]
    public void Sample_InHistogramFamily_Throws() =>
        Should.Throw<InvalidOperationException>(() => new PrometheusWriter().Family("splitccp_test", PrometheusType.Histogram, "A test.").Sample(1));
}
