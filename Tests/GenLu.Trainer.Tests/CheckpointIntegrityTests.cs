using System.Text.Json.Nodes;
using GenLu.Trainer.Cli;
using GenLu.Trainer.Training;

namespace GenLu.Tests;

/// <summary>A checkpoint that was edited, damaged or holds impossible counters is refused by name; a
/// killed write's temporary file is cleaned up; outputs are checked before training starts.</summary>
public sealed class CheckpointIntegrityTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("genlu-checkpoint-integrity-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static readonly TrainingOptions Options = TestProblems.Tiny() with { MaxStepsPerBlock = 5 };

    private string WrittenCheckpoint()
    {
        string path = Path.Combine(directory, "run.ck");
        using var trainer = new GfmmTrainer(TestProblems.Laplacian(8), Options);
        trainer.Run(CancellationToken.None, checkpointPath: path).ShouldBe(TrainingStatus.Completed);
        return path;
    }

    private static CheckpointException RestoreEdited(string path, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(root);
        File.WriteAllText(path, root.ToJsonString());
        using var trainer = new GfmmTrainer(TestProblems.Laplacian(8), Options);
        return Should.Throw<CheckpointException>(() => TrainingCheckpoint.Restore(trainer, path));
    }

    [Fact]
    public void An_unedited_checkpoint_restores_its_counters()
    {
        string path = WrittenCheckpoint();
        using var trainer = new GfmmTrainer(TestProblems.Laplacian(8), Options);
        TrainingCheckpoint.Restore(trainer, path);
        trainer.Finished.ShouldBeTrue();
        trainer.TotalSteps.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void An_edited_weight_fails_the_checksum()
    {
        string path = WrittenCheckpoint();
        var e = RestoreEdited(path, root =>
        {
            var weights = root["Weights"]!.AsArray();
            byte[] bytes = Convert.FromBase64String(weights[0]!.GetValue<string>());
            bytes[0] ^= 1; // the lowest mantissa bit of the first weight: still a finite number
            weights[0] = Convert.ToBase64String(bytes);
        });
        e.Message.ShouldStartWith($"Checkpoint '{path}' says Sha256 = ");
        e.Message.ShouldEndWith(": it was changed or damaged.");
    }

    [Fact]
    public void An_edited_counter_fails_the_checksum()
    {
        string path = WrittenCheckpoint();
        var e = RestoreEdited(path, root => root["AdamSteps"] = root["AdamSteps"]!.GetValue<long>() + 1);
        e.Message.ShouldEndWith(": it was changed or damaged.");
    }

    [Theory]
    [InlineData("StepInBlock", -1, "StepInBlock = -1; it must be >= 0.")]
    [InlineData("Block", 7, "Block = 7; it must be in [0, 1).")]
    [InlineData("Block", -1, "Block = -1; it must be in [0, 1).")]
    [InlineData("AdamSteps", -3, "AdamSteps = -3; it must be >= 0.")]
    public void A_counter_out_of_range_is_named(string field, long value, string expected)
    {
        string path = WrittenCheckpoint();
        var e = RestoreEdited(path, root => root[field] = value);
        e.Message.ShouldBe($"Checkpoint '{path}' has {expected}");
    }

    [Fact]
    public void Negative_total_steps_are_named()
    {
        string path = WrittenCheckpoint();
        var e = RestoreEdited(path, root => { root["TotalSteps"] = -1; root["StepInBlock"] = 0; });
        e.Message.ShouldBe($"Checkpoint '{path}' has TotalSteps = -1; it must be >= StepInBlock (0).");
    }

    [Fact]
    public void A_stale_temporary_of_the_same_target_is_removed_on_the_next_run()
    {
        string path = Path.Combine(directory, "run.ck");
        string stale = path + ".0123456789abcdef0123456789abcdef.tmp";
        string otherTarget = Path.Combine(directory, "other.ck.0123456789abcdef0123456789abcdef.tmp");
        string notAGuid = path + ".notes.tmp";
        foreach (string file in new[] { stale, otherTarget, notAGuid }) File.WriteAllBytes(file, new byte[16]);

        using (var trainer = new GfmmTrainer(TestProblems.Laplacian(8), Options))
            trainer.Run(CancellationToken.None, checkpointPath: path).ShouldBe(TrainingStatus.Completed);

        File.Exists(stale).ShouldBeFalse();
        File.Exists(otherTarget).ShouldBeTrue();
        File.Exists(notAGuid).ShouldBeTrue();
        File.Exists(path).ShouldBeTrue();
    }

    [Theory]
    [InlineData("--out")]
    [InlineData("--checkpoint")]
    public async Task Train_to_a_directory_fails_before_training(string option)
    {
        string target = Directory.CreateDirectory(Path.Combine(directory, "a-directory")).FullName;
        string[] args = ["train", "--m", "2", "--p", "4", "--steps", "40", "--polish", "0", option, target];
        if (option != "--out") args = [.. args, "--out", Path.Combine(directory, "model.gfmm.json")];
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await GenluCommandLine.InvokeAsync(args, CliConsole.Plain(output, error), output);
        code.ShouldBe(1);
        error.ToString().Trim().ShouldBe($"genlu train: {option}: '{target}' is a directory; give the path of a file.");
        output.ToString().ShouldNotContain("Training");
    }
}
