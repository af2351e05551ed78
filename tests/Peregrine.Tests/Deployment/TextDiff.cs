using System.Text;

namespace Peregrine.Tests.Deployment;

/// <summary>A line diff (longest common subsequence) printed as "-expected / +actual" lines with their line numbers.</summary>
public static class TextDiff
{
    public static string Describe(string expected, string actual)
    {
        var left = expected.Split('\n');
        var right = actual.Split('\n');
        var common = new int[left.Length + 1, right.Length + 1];
        for (var i = left.Length - 1; i >= 0; i--)
        {
            for (var j = right.Length - 1; j >= 0; j--)
            {
                common[i, j] = left[i] == right[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var text = new StringBuilder();
        int l = 0, r = 0;
        while (l < left.Length || r < right.Length)
        {
            if (l < left.Length && r < right.Length && left[l] == right[r])
            {
                (l, r) = (l + 1, r + 1);
            }
            else if (l < left.Length && (r == right.Length || common[l + 1, r] >= common[l, r + 1]))
            {
                text.AppendLine($"-{l + 1,4}: {left[l++]}");
            }
            else
            {
                text.AppendLine($"+{r + 1,4}: {right[r++]}");
            }
        }

        return text.ToString();
    }
}
