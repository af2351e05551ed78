using System.Diagnostics;

namespace Peregrine.Tests.Infrastructure;

/// <summary>A PDF as poppler's <c>pdftotext</c> reads it: a real reader, not our own writer's idea of its output.</summary>
public static class PdfText
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>The text, lines joined with spaces.</summary>
    public static async Task<string> ReadAsync(byte[] pdf)
    {
        using var scratch = new TestDirectory("peregrine-pdf");
        var path = scratch.Combine("letter.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        using var process = Process.Start(new ProcessStartInfo("pdftotext", [path, "-"]) { RedirectStandardOutput = true })!;
        var text = await process.StandardOutput.ReadToEndAsync().WaitAsync(Bound);
        await process.WaitForExitAsync().WaitAsync(Bound);
        Assert.Equal(0, process.ExitCode);
        return string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
