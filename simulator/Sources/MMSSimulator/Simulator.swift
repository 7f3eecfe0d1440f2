/// Runs seeds: each run, then (for `availability`) the same workload again without faults;
/// `wall_seconds` is the run's own time, `wall_seconds_with_twin` both runs'.
public enum Simulator {
    public static func run(_ options: SimulationOptions, progress: ((Double) -> Void)? = nil) throws -> (result: SimulationResult, history: [String], trace: [String]) {
        let simulation = try Simulation(options)
        var result = simulation.run(progress: progress)
        if options.measureAvailability, options.faults {
            var twin = options
            (twin.faults, twin.recordHistory, twin.recordTrace, twin.measureAvailability) = (false, false, false, false)
            let baseline = try Simulation(twin).run()
            result.wallSecondsWithTwin = result.wallSeconds + baseline.wallSeconds
            result.speedupWithTwin = result.wallSecondsWithTwin > 0 ? result.simulatedSeconds / result.wallSecondsWithTwin : 0
            result.availability = baseline.paymentsAccepted > 0 ? Double(result.paymentsAccepted) / Double(baseline.paymentsAccepted) : nil
        } else if !options.faults {
            result.availability = 1
        }
        return (result, simulation.recorder.lines, simulation.traceLines ?? [])
    }
}
