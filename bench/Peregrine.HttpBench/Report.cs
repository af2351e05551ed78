using System.Globalization;
using System.Text;

namespace Peregrine.HttpBench;

/// <summary>The table the bench prints (Markdown, pasted into README's Benchmarks section).</summary>
internal sealed class Report
{
    private readonly List<(string Measure, string Measured, string Baseline, string Ratio, string Target)> _rows = [];

    public void Add(string measure, double measured, double baseline, string target) =>
        _rows.Add((measure, Rate(measured), Rate(baseline), (measured / baseline).ToString("F2", CultureInfo.InvariantCulture), target));

    public void AddFigure(string measure, string figure, string target) => _rows.Add((measure, figure, string.Empty, string.Empty, target));

    public string ToMarkdown()
    {
        var text = new StringBuilder()
            .AppendLine("| Measure | Measured | Baseline | Ratio | Target |")
            .AppendLine("|---|---|---|---|---|");
        foreach (var row in _rows)
        {
            text.AppendLine($"| {row.Measure} | {row.Measured} | {row.Baseline} | {row.Ratio} | {row.Target} |");
        }

        return text.ToString();
    }

    private static string Rate(double requestsPerSecond) => $"{requestsPerSecond.ToString("N0", CultureInfo.InvariantCulture)} req/s";
}
