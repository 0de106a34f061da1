using Isrm.Model.Checkpoints;
using Isrm.Model.Generation;
using Isrm.Model.Tokenization;
using Isrm.Model.Runtime;
using Isrm.Web.Options;
using Microsoft.Extensions.Options;

namespace Isrm.Web.Refinement;

/// <summary>The production backend: the model library's checkpoints and generator.</summary>
public sealed class CheckpointBackend(IOptions<ModelServiceOptions> options) : IGenerationBackend
{
    public CheckpointDescription Inspect(string directory)
    {
        try
        {
            CheckpointInfo info = Checkpoint.Inspect(directory);
            return new CheckpointDescription(info.Family, info.ParameterCount, info.TrainingSummary, null,
                info.Config.MaxContext, TokenizerStore.KindOf(directory) == ByteTokenizer.KindName, info.Config.IsSinglePass);
        }
        catch (CheckpointException e)
        {
            return CheckpointDescription.Unusable(e.Message);
        }
    }

    public ILoadedModel Load(string directory) =>
        new LoadedModel(Checkpoint.Load(directory, ComputeDevice.Parse(options.Value.Device)));

    private sealed class LoadedModel(LoadedCheckpoint checkpoint) : ILoadedModel
    {
        public IEnumerable<GenerationEvent> Generate(GenerationRequest request, CancellationToken cancellation) =>
            Generator.Generate(checkpoint, request, cancellation);

        public void Dispose() => checkpoint.Dispose();
    }
}
