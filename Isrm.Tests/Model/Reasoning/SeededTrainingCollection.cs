namespace Isrm.Tests.Model.Reasoning;

/// <summary>
/// Tests that train with a fixed seed: TorchSharp's generator is process-wide, so these run alone (after the parallel
/// tests) and their weights and batches are the same on every run.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SeededTrainingCollection
{
    public const string Name = "seeded training";
}
