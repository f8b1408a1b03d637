using System.Text.Json;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Training;

public class LearningRateScheduleTests
{
    private static (List<ScheduleDecision> Decisions, List<double> Rates) Run(LearningRateSchedule schedule, params double[] accuracies)
    {
        var decisions = new List<ScheduleDecision>();
        var rates = new List<double>();
        foreach (double a in accuracies)
        {
            decisions.Add(schedule.Observe(a));
            rates.Add(schedule.LearningRate);
        }
        return (decisions, rates);
    }

    [Fact]
    public void DefaultsAreThePapers()
    {
        var schedule = new LearningRateSchedule();
        Assert.Equal(0.01, schedule.LearningRate);
        Assert.Equal(10, schedule.Options.Factor);
        Assert.Equal(3, schedule.Options.MaxReductions);
        Assert.Equal(74, schedule.Options.MaxEpochs);
        Assert.Equal(2, schedule.Options.Patience);
        Assert.False(schedule.ShouldStop);
    }

    [Fact]
    public void ImprovingAccuracyKeepsTheRate()
    {
        var (decisions, rates) = Run(new LearningRateSchedule(), 0.1, 0.2, 0.3, 0.35, 0.36);
        Assert.All(decisions, d => Assert.Equal(ScheduleDecision.Continue, d));
        Assert.All(rates, r => Assert.Equal(0.01, r));
    }

    [Fact]
    public void PatienceOneDividesAtTheFirstFlatEpochThreeTimesThenStops()
    {
        var schedule = new LearningRateSchedule(new PlateauScheduleOptions { Patience = 1, MinImprovement = 0 });

        var (decisions, rates) = Run(schedule, 0.3, 0.5, 0.5, 0.6, 0.55, 0.7, 0.7, 0.71, 0.70);

        Assert.Equal(
            [ScheduleDecision.Continue, ScheduleDecision.Continue, ScheduleDecision.Reduced, ScheduleDecision.Continue, ScheduleDecision.Reduced,
             ScheduleDecision.Continue, ScheduleDecision.Reduced, ScheduleDecision.Continue, ScheduleDecision.Stop], decisions);
        Assert.Equal([0.01, 0.01, 0.001, 0.001, 0.0001, 0.0001, 0.00001, 0.00001, 0.00001], rates, new ToleranceComparer(1e-15));
        Assert.True(schedule.ShouldStop);
        Assert.Equal(ScheduleStop.Plateau, schedule.State.Stop);
        Assert.Equal(3, schedule.State.Reductions);
        Assert.Equal(0.71, schedule.State.BestAccuracy);
        Assert.Equal(8, schedule.State.BestEpoch);
    }

    [Fact]
    public void PatienceTwoToleratesOneFlatEpoch()
    {
        var schedule = new LearningRateSchedule(new PlateauScheduleOptions { Patience = 2 });

        var (decisions, _) = Run(schedule, 0.4, 0.39, 0.45, 0.44, 0.44);

        Assert.Equal([ScheduleDecision.Continue, ScheduleDecision.Continue, ScheduleDecision.Continue, ScheduleDecision.Continue, ScheduleDecision.Reduced], decisions);
        Assert.Equal(0, schedule.State.EpochsSinceImprovement);
    }

    [Fact]
    public void GainsBelowTheThresholdDoNotCountAsImprovement()
    {
        var schedule = new LearningRateSchedule(new PlateauScheduleOptions { Patience = 2, MinImprovement = 0.01 });

        var (decisions, _) = Run(schedule, 0.50, 0.505, 0.509);

        Assert.Equal(ScheduleDecision.Reduced, decisions[^1]);
        Assert.Equal(0.50, schedule.State.BestAccuracy);
    }

    [Fact]
    public void TheBestAccuracyIsKeptAcrossAReduction()
    {
        var schedule = new LearningRateSchedule(new PlateauScheduleOptions { Patience = 1, MinImprovement = 0 });
        Run(schedule, 0.6, 0.5);
        Assert.Equal(1, schedule.State.Reductions);

        // 0.55 is better than the epoch before but not than the best, 0.6: a second plateau.
        Assert.Equal(ScheduleDecision.Reduced, schedule.Observe(0.55));
        Assert.Equal(2, schedule.State.Reductions);
    }

    [Fact]
    public void TheEpochLimitStopsTraining()
    {
        var schedule = new LearningRateSchedule(new PlateauScheduleOptions { MaxEpochs = 3 });

        var (decisions, _) = Run(schedule, 0.1, 0.2, 0.3);

        Assert.Equal(ScheduleDecision.Stop, decisions[^1]);
        Assert.Equal(ScheduleStop.EpochLimit, schedule.State.Stop);
        Assert.Throws<InvalidOperationException>(() => schedule.Observe(0.4));
    }

    [Fact]
    public void ZeroReductionsStopsAtTheFirstPlateau()
    {
        var schedule = new LearningRateSchedule(new PlateauScheduleOptions { MaxReductions = 0, Patience = 1 });
        var (decisions, rates) = Run(schedule, 0.5, 0.4);
        Assert.Equal([ScheduleDecision.Continue, ScheduleDecision.Stop], decisions);
        Assert.Equal(0.01, rates[^1]);
    }

    [Fact]
    public void AnnealingDividesTheRateForTheLastEpochsOfAnImprovingRun()
    {
        var schedule = new LearningRateSchedule(new PlateauScheduleOptions { MaxEpochs = 6, AnnealEpochs = 2 });

        var (decisions, rates) = Run(schedule, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6);

        Assert.Equal([ScheduleDecision.Continue, ScheduleDecision.Continue, ScheduleDecision.Continue, ScheduleDecision.Annealed,
                      ScheduleDecision.Continue, ScheduleDecision.Stop], decisions);
        Assert.Equal([0.01, 0.01, 0.01, 0.001, 0.001, 0.001], rates, new ToleranceComparer(1e-15));
        Assert.Equal(ScheduleStop.EpochLimit, schedule.State.Stop);
    }

    [Fact]
    public void AnnealingAtAPlateauDividesOnlyOnce()
    {
        var schedule = new LearningRateSchedule(new PlateauScheduleOptions { MaxEpochs = 5, AnnealEpochs = 2, Patience = 1 });

        var (decisions, rates) = Run(schedule, 0.5, 0.6, 0.55);

        Assert.Equal([ScheduleDecision.Continue, ScheduleDecision.Continue, ScheduleDecision.Reduced], decisions);
        Assert.Equal(0.001, rates[^1], 1e-15);
        Assert.Equal(1, schedule.State.Reductions);
    }

    [Fact]
    public void AnnealingNeedsAReductionLeftAndAnEpochToStartFrom()
    {
        // No reduction left: the run goes on at its rate (annealing never stops it).
        var exhausted = new LearningRateSchedule(new PlateauScheduleOptions { MaxEpochs = 4, AnnealEpochs = 2, MaxReductions = 0 });
        Assert.Equal([ScheduleDecision.Continue, ScheduleDecision.Continue, ScheduleDecision.Continue, ScheduleDecision.Stop],
            Run(exhausted, 0.1, 0.2, 0.3, 0.4).Decisions);
        Assert.Equal(0.01, exhausted.LearningRate);

        // As many annealed epochs as the limit: there is no epoch before them to divide the rate at.
        var wholeRun = new LearningRateSchedule(new PlateauScheduleOptions { MaxEpochs = 2, AnnealEpochs = 2 });
        Assert.All(Run(wholeRun, 0.1, 0.2).Rates, r => Assert.Equal(0.01, r));
    }

    [Fact]
    public void StateRoundTripsThroughJsonAndResumesTheSameSequence()
    {
        var options = new PlateauScheduleOptions { Patience = 2, MinImprovement = 0.001 };
        double[] accuracies = [0.2, 0.4, 0.41, 0.405, 0.41, 0.5, 0.49, 0.495, 0.6, 0.6, 0.6, 0.6, 0.6];
        var straight = new LearningRateSchedule(options);
        var expected = Run(straight, accuracies);

        var first = new LearningRateSchedule(options);
        var part1 = Run(first, accuracies[..5]);
        string json = JsonSerializer.Serialize(first.State, PersistedJson.Default.LearningRateScheduleState);
        var resumed = new LearningRateSchedule(options, JsonSerializer.Deserialize(json, PersistedJson.Default.LearningRateScheduleState));
        var part2 = Run(resumed, accuracies[5..]);

        Assert.Equal(expected.Decisions, part1.Decisions.Concat(part2.Decisions));
        Assert.Equal(expected.Rates, part1.Rates.Concat(part2.Rates));
        Assert.Equal(straight.State, resumed.State);
        Assert.Contains("\"best_accuracy\":", json);
        Assert.Contains("\"stop\":\"None\"", json);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void AccuracyOutsideZeroToOneIsRefused(double accuracy) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule().Observe(accuracy));

    [Fact]
    public void BadOptionsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new LearningRateSchedule(new PlateauScheduleOptions { Factor = 1 }));
        Assert.Throws<ArgumentException>(() => new LearningRateSchedule(new PlateauScheduleOptions { Patience = 0 }));
        Assert.Throws<ArgumentException>(() => new LearningRateSchedule(new PlateauScheduleOptions { InitialLearningRate = 0 }));
        Assert.Throws<ArgumentException>(() => new LearningRateSchedule(new PlateauScheduleOptions { MaxEpochs = 0 }));
        Assert.Throws<ArgumentException>(() => new LearningRateSchedule(new PlateauScheduleOptions { AnnealEpochs = -1 }));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
