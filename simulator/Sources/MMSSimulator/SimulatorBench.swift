/// The simulator's figures (`mms bench sim`): its speed against the wall clock, rounds to converge
/// after the final heal as the chain grows, and the availability of stored-value payments under
/// partitions for three till policies on the same seeds.
public enum SimulatorBench {
    public struct Speed: Codable, Sendable {
        public let nodes: Int
        public let simulatedSeconds: Double
        public let wallSeconds: Double
        public let speedup: Double
        public let messages: Int
    }

    public struct Convergence: Codable, Sendable {
        public let nodes: Int
        public let meanRounds: Double
        public let maxRounds: Int
    }

    public struct Availability: Codable, Sendable {
        public let policy: String
        public let meanAvailability: Double
        public let overdrawnAccounts: Int
        public let seeds: Int
    }

    public struct Report: Codable, Sendable {
        public let speed: [Speed]
        public let convergence: [Convergence]
        public let availability: [Availability]
    }

    public struct Options: Sendable {
        public var speedNodes = [48, 200]
        public var speedMinutes: UInt64 = 10
        public var convergenceNodes = [8, 16, 32, 64, 128]
        public var convergenceSeeds: [UInt64] = Array(1...5)
        public var availabilityNodes = 48
        public var availabilitySeeds: [UInt64] = Array(1...5)
        public var minutes: UInt64 = 10
        public init() {}
    }

    public static func run(_ o: Options, progress: (String) -> Void) throws -> Report {
        var speed: [Speed] = []
        for n in o.speedNodes {
            progress("speed: \(n) nodes, busy hour, \(o.speedMinutes) simulated minutes, no faults")
            var options = SimulationOptions()
            (options.nodes, options.durationMillis, options.faults, options.measureAvailability) = (n, o.speedMinutes * 60_000, false, false)
            let r = try Simulator.run(options).result
            speed.append(Speed(nodes: n, simulatedSeconds: r.simulatedSeconds, wallSeconds: r.wallSeconds, speedup: r.speedup, messages: r.messages))
        }
        var convergence: [Convergence] = []
        for n in o.convergenceNodes {
            progress("convergence after the final heal: \(n) nodes × \(o.convergenceSeeds.count) seeds")
            var rounds: [Int] = []
            for seed in o.convergenceSeeds {
                var options = SimulationOptions()
                (options.nodes, options.seed, options.durationMillis, options.measureAvailability) = (n, seed, o.minutes * 60_000, false)
                options.guaranteePartitionsAndCrashes = true
                rounds.append(try Simulator.run(options).result.convergenceRounds)
            }
            convergence.append(Convergence(nodes: n, meanRounds: Double(rounds.reduce(0, +)) / Double(max(1, rounds.count)), maxRounds: rounds.max() ?? 0))
        }
        var availability: [Availability] = []
        for policy in PaymentPolicy.allCases {
            progress("availability: \(policy.rawValue), \(o.availabilityNodes) nodes × \(o.availabilitySeeds.count) seeds")
            var values: [Double] = [], overdrawn = 0
            for seed in o.availabilitySeeds {
                var options = SimulationOptions()
                (options.nodes, options.seed, options.durationMillis, options.policy) = (o.availabilityNodes, seed, o.minutes * 60_000, policy)
                options.guaranteePartitionsAndCrashes = true
                let r = try Simulator.run(options).result
                values.append(r.availability ?? 0)
                overdrawn += r.overdrafts
            }
            availability.append(Availability(policy: policy.rawValue, meanAvailability: values.reduce(0, +) / Double(max(1, values.count)),
                                             overdrawnAccounts: overdrawn, seeds: values.count))
        }
        return Report(speed: speed, convergence: convergence, availability: availability)
    }
}
