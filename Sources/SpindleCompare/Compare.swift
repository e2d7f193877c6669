import Glibc

/// `spindle compare`: runs each serving model under the same load and writes the report.
public enum Compare {
    /// Runs the comparison; the table goes to stdout, progress to stderr, files to `options.output`.
    /// Exit status 0 when every step ran, 1 when some step could not (the report is written anyway);
    /// throws for what prevents a run at all (bad options, no output directory).
    public static func run(_ options: CompareOptions) throws -> Int32 {
        try options.validate()
        try CompareReport.makeDirectories(options.output)
        let run = CompareRun(options)
        let results = try run.run()
        let report = CompareReport(results: results, options: options)
        let files = try report.write(to: options.output)
        if options.verbose {
            ReportFormat.write("\n" + report.table(), to: .output)
            ReportFormat.write("\nwrote " + files.joined(separator: ", ") + "\n", to: .output)
        }
        let skipped = results.contains { $0.load.seconds == 0 }
        return skipped ? 1 : 0
    }
}
