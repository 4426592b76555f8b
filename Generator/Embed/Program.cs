using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GenLu.Format;
using GenLu.Generator.Embed;
using GenLu.Generator.Embedding;
using GenLu.Structure;

// genlu-embed <list file> <output directory> <threshold bytes>
// The list file has one weight file a line: its full path, a tab, its GenLuEmbed mode (Auto, Resource or Source).
// Writes <output>/<name>.gfmm.bin and <name>.gfmm.manifest for each file embedded as a resource, and
// <output>/resources.txt and manifests.txt listing them for GenLu.Generator.targets.
if (args.Length != 3 || !long.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out long threshold))
{
    Console.Error.WriteLine("genlu-embed: usage: genlu-embed <list file> <output directory> <threshold bytes>");
    return 1;
}
try
{
    return EmbedCommand.Run(args[0], args[1], threshold);
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"genlu-embed: {e.Message}");
    return 1;
}

namespace GenLu.Generator.Embed
{
    internal static class EmbedCommand
    {
        public static int Run(string listFile, string outputDirectory, long threshold)
        {
            Directory.CreateDirectory(outputDirectory);
            var resources = new List<string>();
            var manifests = new List<string>();
            foreach (string line in File.ReadAllLines(listFile))
            {
                if (line.Length == 0) continue;
                var fields = line.Split('\t');
                string path = Path.GetFullPath(fields[0]);
                string mode = fields.Length > 1 && fields[1].Length > 0 ? fields[1] : "Auto";
                if (!IsEmbedded(path, mode, threshold)) continue;

                string name = ResourceName(path);
                string blob = Path.Combine(outputDirectory, name + ".gfmm.bin");
                string manifest = Path.Combine(outputDirectory, name + EmbeddedModelManifest.Extension);
                if (!IsUpToDate(path, blob, manifest)) Embed(path, name, blob, manifest);
                manifests.Add(manifest);
                if (File.Exists(blob)) resources.Add(blob);
            }
            WriteAtomically(Path.Combine(outputDirectory, "resources.txt"), string.Join('\n', resources) + "\n");
            WriteAtomically(Path.Combine(outputDirectory, "manifests.txt"), string.Join('\n', manifests) + "\n");
            return 0;
        }

        private static bool IsEmbedded(string path, string mode, long threshold)
        {
            if (mode.Equals("Source", StringComparison.OrdinalIgnoreCase)) return false;
            if (mode.Equals("Resource", StringComparison.OrdinalIgnoreCase)) return true;
            return File.Exists(path) && Target(path).Length >= threshold;
        }

        /// <summary>The file itself, through any symbolic links (whose own size and time say nothing of the model).</summary>
        private static FileInfo Target(string path)
        {
            var file = new FileInfo(path);
            return file.LinkTarget is null ? file : (FileInfo?)file.ResolveLinkTarget(returnFinalTarget: true) ?? file;
        }

        /// <summary>The file's name and a hash of its full path: unique in the project, stable between builds, and the
        /// resource's logical name (the generated code finds it by that name).</summary>
        public static string ResourceName(string path)
        {
            string normalized = path.Replace('\\', '/');
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(normalized.ToUpperInvariant()));
            string file = Path.GetFileName(normalized);
            string stem = file.EndsWith(".gfmm.json", StringComparison.OrdinalIgnoreCase) ? file[..^".gfmm.json".Length] : file;
            return $"GenLu.{stem}-{Convert.ToHexStringLower(hash, 0, 4)}";
        }

        /// <summary>Both outputs exist and are newer than the weight file and this tool (a new tool may lay data out anew).</summary>
        private static bool IsUpToDate(string path, string blob, string manifest)
        {
            if (!File.Exists(manifest) || !File.Exists(path)) return false;
            var written = File.GetLastWriteTimeUtc(manifest);
            string tool = typeof(EmbedCommand).Assembly.Location;
            bool blobOk = File.Exists(blob) || File.ReadAllText(manifest).Contains("\nproblem ", StringComparison.Ordinal);
            return blobOk && written >= Target(path).LastWriteTimeUtc && (tool.Length == 0 || written >= File.GetLastWriteTimeUtc(tool));
        }

        private static void Embed(string path, string name, string blob, string manifestPath)
        {
            string source = path.Replace('\\', '/');
            EmbeddedModelManifest manifest;
            string temporary = blob + ".tmp";
            try
            {
                // In the file's own type, as the generator reads it: a float64 model's resource holds doubles.
                var root = GfmmFile.ParseJson(GfmmFile.ReadText(path)); // one string of the file, no builder beside it
                using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
                    manifest = GfmmFile.ClaimedDtype(root) == GfmmDtype.Float64
                        ? EmbeddedResourceWriter.Write(GfmmFile.Read<double>(root), source, name + ".gfmm.bin", output)
                        : EmbeddedResourceWriter.Write(GfmmFile.Read<float>(root), source, name + ".gfmm.bin", output);
            }
            catch (GfmmFormatException e)
            {
                manifest = EmbeddedResourceWriter.Problem(source, WeightFileProblems.IdFor(e.Error), WeightFileProblems.Detail(e));
            }
            catch (Exception e) when (e is OutOfMemoryException or ArgumentException or OverflowException)
            {
                manifest = EmbeddedResourceWriter.Problem(source, WeightFileProblems.MalformedId, e.GetType().Name + ": " + e.Message);
            }
            if (manifest.ProblemId is null) File.Move(temporary, blob, overwrite: true);
            else
            {
                File.Delete(temporary);
                File.Delete(blob);
            }
            WriteAtomically(manifestPath, manifest.Write());
        }

        private static void WriteAtomically(string path, string text)
        {
            string temporary = path + ".tmp";
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
        }
    }
}
