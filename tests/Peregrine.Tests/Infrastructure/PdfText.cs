using System.Diagnostics;

namespace Peregrine.Tests.Infrastructure;

/// <summary>A PDF as poppler's <c>pdftotext</c> reads it: a real reader, not our own writer's idea of its output.</summary>
public static class PdfText
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>The text, lines joined with spaces.</summary>
    public static async Task<string> ReadAsync(byte[] pdf) =>
        string.Join(' ', (await RunAsync(pdf)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// The page as <c>pdftotext -layout</c> lays it out: one string per printed line, blank lines kept (a paragraph
    /// break), trailing page feed and spaces removed.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ReadLayoutLinesAsync(byte[] pdf) =>
        [.. (await RunAsync(pdf, "-layout")).TrimEnd('\f', '\n').Split('\n').Select(line => line.Trim())];

    private static async Task<string> RunAsync(byte[] pdf, params string[] options)
    {
        using var scratch = new TestDirectory("peregrine-pdf");
        var path = scratch.Combine("letter.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        using var process = Process.Start(new ProcessStartInfo("pdftotext", [.. options, path, "-"]) { RedirectStandardOutput = true })!;
        var text = await process.StandardOutput.ReadToEndAsync().WaitAsync(Bound);
        await process.WaitForExitAsync().WaitAsync(Bound);
        Assert.Equal(0, process.ExitCode);
        return text;
    }
}
