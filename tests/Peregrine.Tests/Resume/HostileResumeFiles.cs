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
    /// A PDF of <paramref name="pages"/> pages that all share one content stream, which inflates to
    /// <paramref name="inflatedMegabytes"/> MB of save/restore operators (<c>q Q</c>): a few KB on disk, no text, little
    /// memory, and minutes of parsing, since every page parses the whole stream again. 4 MB a page takes about 36 s
    /// on a 2-core machine, far past the time limit, and stays under the helper's heap limit (at 20 MB a page the
    /// helper ran out of memory first, and the test met the wrong limit).
    /// </summary>
    public static byte[] SlowPdf(int pages = 30, int inflatedMegabytes = 4)
    {
        using var compressed = new MemoryStream();
        using (var deflate = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("q Q\n", 1024 * 1024 / 4)));
            for (var i = 0; i < inflatedMegabytes; i++)
            {
                deflate.Write(chunk);
            }
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
        Object($"<< /Type /Pages /Kids [{string.Join(' ', Enumerable.Range(5, pages).Select(p => $"{p} 0 R"))}] /Count {pages} >>");
        Object("<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>");
        offsets.Add(pdf.Position);
        Write($"4 0 obj\n<< /Length {stream.Length} /Filter /FlateDecode >>\nstream\n");
        pdf.Write(stream);
        Write("\nendstream\nendobj\n");
        for (var page = 0; page < pages; page++)
        {
            Object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources 3 0 R /Contents 4 0 R >>");
        }

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

        /// <summary>Seekable, so the upload announces its length (Content-Length) as a browser's does.</summary>
        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => _position = value; }

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

        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
