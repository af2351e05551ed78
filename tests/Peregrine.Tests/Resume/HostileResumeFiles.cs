using System.IO.Compression;
using System.Text;

namespace Peregrine.Tests.Resume;

/// <summary>Résumé files an attacker would upload, each built here from its recipe (never downloaded).</summary>
internal static class HostileResumeFiles
{
    /// <summary>A real DOCX plus one entry of zeros that inflates to <paramref name="inflatedMegabytes"/> MB from a few hundred KB.</summary>
    public static byte[] DocxZipBomb(int inflatedMegabytes = 1024)
    {
        using var output = new MemoryStream();
        output.Write(ResumeFiles.Docx(ResumeFiles.PlatformEngineer));
        output.Position = 0;
        using (var zip = new ZipArchive(output, ZipArchiveMode.Update, leaveOpen: true))
        {
            using var bomb = zip.CreateEntry("word/media/image1.bin", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < inflatedMegabytes; i++)
            {
                bomb.Write(zeros);
            }
        }

        return output.ToArray();
    }

    /// <summary>An ODT whose content.xml declares external entities (a URL and a local file) and uses them in its text.</summary>
    public static byte[] OdtWithExternalEntities(Uri secretUrl, string secretFile) =>
        ResumeFiles.Odt(
            ["Alex Morgan", "Summary", "&url; &file;"],
            doctype: $"""<!DOCTYPE office:document-content [<!ENTITY url SYSTEM "{secretUrl}"><!ENTITY file SYSTEM "file://{secretFile}">]>""" + "\n",
            raw: true);

    /// <summary>The first <paramref name="fraction"/> of a real PDF: what an interrupted download or a broken export leaves.</summary>
    public static byte[] TruncatedPdf(double fraction = 0.5)
    {
        var pdf = ResumeFiles.Pdf(ResumeFiles.PlatformEngineer);
        return pdf[..(int)(pdf.Length * fraction)];
    }

    /// <summary>A PDF header followed by random-looking bytes up to <paramref name="bytes"/>: over any upload limit.</summary>
    public static Stream Huge(long bytes) => new PdfPaddingStream(bytes);

    /// <summary>
    /// A one-page PDF whose content stream inflates to <paramref name="inflatedMegabytes"/> MB of tiny text-showing
    /// operators: a few hundred KB on disk that keep a parser busy (and hungry) for a long time.
    /// </summary>
    public static byte[] SlowPdf(int inflatedMegabytes = 400)
    {
        using var compressed = new MemoryStream();
        using (var deflate = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write("BT /F1 1 Tf 10 10 Td\n"u8);
            var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("(x) Tj 0.01 0 Td\n", 1024 * 1024 / 17)));
            for (var i = 0; i < inflatedMegabytes; i++)
            {
                deflate.Write(chunk);
            }

            deflate.Write("ET\n"u8);
        }

        var stream = compressed.ToArray();
        var pdf = new MemoryStream();
        var offsets = new List<long>();
        void Write(string text) => pdf.Write(Encoding.ASCII.GetBytes(text));
        void Object(string body)
        {
            offsets.Add(pdf.Position);
            Write($"{offsets.Count} 0 obj\n{body}\nendobj\n");
        }

        Write("%PDF-1.7\n");
        Object("<< /Type /Catalog /Pages 2 0 R >>");
        Object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        Object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>");
        offsets.Add(pdf.Position);
        Write($"4 0 obj\n<< /Length {stream.Length} /Filter /FlateDecode >>\nstream\n");
        pdf.Write(stream);
        Write("\nendstream\nendobj\n");
        Object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        var xref = pdf.Position;
        Write($"xref\n0 {offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            Write($"{offset:D10} 00000 n \n");
        }

        Write($"trailer\n<< /Size {offsets.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return pdf.ToArray();
    }

    /// <summary>A readable stream of a given length that is never held in memory.</summary>
    private sealed class PdfPaddingStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = (int)Math.Min(count, length - _position);
            for (var i = 0; i < read; i++)
            {
                buffer[offset + i] = _position + i < 5 ? (byte)"%PDF-"[(int)(_position + i)] : (byte)('a' + ((_position + i) % 26));
            }

            _position += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
