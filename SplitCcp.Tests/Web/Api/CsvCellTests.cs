using SplitCcp.Web.Api;

namespace SplitCcp.Tests.Web.Api;

/// <summary>One CSV cell: quoted as RFC 4180 needs, and never a formula to a spreadsheet.</summary>
public sealed class CsvCellTests
{
    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+31 20 555 0100", "'+31 20 555 0100")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1:A9)", "'@SUM(A1:A9)")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("\r=1", "\"'\r=1\"")]
    [InlineData("a, b", "\"a, b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    [InlineData("Acme 2=3", "Acme 2=3")]
    [InlineData("", "")]
    public void Cell_QuotesAsRfc4180AndNeutralisesFormulas(string value, string cell) => Csv.Cell(value).ShouldBe(cell);
}
