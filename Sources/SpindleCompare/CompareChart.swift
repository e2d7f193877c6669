import Glibc

/// The SVG of a comparison: one row of three charts per variant (requests/s, p99 latency, peak
/// RSS), concurrency on a log x axis, one polyline per mode, a shared legend. Hand-written SVG 1.1
/// with inline attributes only, so it renders the same in browsers, GitHub and Inkscape.
struct CompareChart {
    struct Metric: Sendable {
        let title: String
        let axis: String
        let value: @Sendable (StepResult) -> Double
    }

    static let metrics: [Metric] = [
        Metric(title: "Throughput", axis: "requests/s") { $0.load.requestsPerSecond },
        Metric(title: "Latency p99", axis: "milliseconds") { Double($0.load.latency.percentile(99)) / 1e6 },
        Metric(title: "Peak server memory", axis: "RSS, MB") { Double($0.peakResidentBytes) / 1e6 },
    ]
    static let palette = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed"]

    // Geometry: each chart is a cell; the plot sits inside it with room for labels.
    static let cellWidth = 340.0
    static let cellHeight = 250.0
    static let rowHeading = 26.0
    static let header = 70.0
    static let margin = 16.0
    static let plotLeft = 64.0
    static let plotRight = 16.0
    static let plotTop = 30.0
    static let plotBottom = 46.0

    let report: CompareReport

    func render() -> String {
        let variants = report.variants
        let modes = report.modes
        let width = Self.margin * 2 + Self.cellWidth * Double(Self.metrics.count)
        let height = Self.header + Double(max(variants.count, 1)) * (Self.rowHeading + Self.cellHeight) + Self.margin
        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" \
            viewBox="0 0 \(n(width)) \(n(height))" font-family="Helvetica, Arial, sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="\(n(Self.margin))" y="28" font-size="17" font-weight="bold" fill="#111827">\
            spindle compare: \(escape(modes.joined(separator: " vs ")))</text>
            <text x="\(n(Self.margin))" y="47" fill="#4b5563">\(escape(subtitle))</text>

            """
        // Legend, top right.
        var legendX = width - Self.margin - Double(modes.count) * 110
        for (index, mode) in modes.enumerated() {
            let color = Self.palette[index % Self.palette.count]
            svg += """
                <line x1="\(n(legendX))" y1="24" x2="\(n(legendX + 26))" y2="24" stroke="\(color)" stroke-width="2.5"/>
                <circle cx="\(n(legendX + 13))" cy="24" r="3.5" fill="\(color)"/>
                <text x="\(n(legendX + 32))" y="28" font-size="12" fill="#111827">\(escape(mode))</text>

                """
            legendX += 110
        }
        for (row, variant) in variants.enumerated() {
            let top = Self.header + Double(row) * (Self.rowHeading + Self.cellHeight)
            let path = report.results.first { $0.variant == variant }?.path ?? ""
            svg += """
                <text x="\(n(Self.margin))" y="\(n(top + 17))" font-size="13" font-weight="bold" fill="#111827">\
                \(escape(variant.title)) <tspan font-weight="normal" fill="#6b7280">\(escape(path))</tspan></text>

                """
            for (column, metric) in Self.metrics.enumerated() {
                let x = Self.margin + Double(column) * Self.cellWidth
                svg += chart(metric, variant: variant, modes: modes, x: x, y: top + Self.rowHeading)
            }
        }
        return svg + "</svg>\n"
    }

    private var subtitle: String {
        let seconds = ReportFormat.trimmed(ReportFormat.fixed(report.options.duration, 2))
        let workers =
            report.modes.contains("workers") ? "; workers: the event loop × \(report.onlineCPUs) processes" : ""
        return
            "\(seconds) s per step, closed-loop load generator on 127.0.0.1\(workers); x axis: concurrent connections (log scale)"
    }

    private func chart(_ metric: Metric, variant: CompareVariant, modes: [String], x: Double, y: Double) -> String {
        let left = x + Self.plotLeft
        let right = x + Self.cellWidth - Self.plotRight
        let top = y + Self.plotTop
        let bottom = y + Self.cellHeight - Self.plotBottom
        let steps = report.results.filter { $0.variant == variant && $0.load.seconds > 0 }
        let levels = report.levels
        let maximum = steps.map(metric.value).max() ?? 0
        let (ceiling, tick) = Self.niceScale(maximum)

        // Log x: the levels span the plot; a single level sits in the middle.
        let low = log2(Double(levels.first ?? 1))
        let high = log2(Double(levels.last ?? 1))
        func px(_ level: Int) -> Double {
            high > low ? left + (log2(Double(level)) - low) / (high - low) * (right - left) : (left + right) / 2
        }
        func py(_ value: Double) -> Double { bottom - value / ceiling * (bottom - top) }

        var svg = "<g>\n"
        svg += """
            <text x="\(n((left + right) / 2))" y="\(n(y + 16))" text-anchor="middle" font-size="12" \
            font-weight="bold" fill="#1f2937">\(escape(metric.title))</text>

            """
        // Horizontal grid and y labels.
        var value = 0.0
        while value <= ceiling * 1.000001 {
            let yy = py(value)
            svg += """
                <line x1="\(n(left))" y1="\(n(yy))" x2="\(n(right))" y2="\(n(yy))" stroke="#e5e7eb"/>
                <text x="\(n(left - 6))" y="\(n(yy + 3.5))" text-anchor="end" fill="#4b5563">\
                \(ReportFormat.compact(value))</text>

                """
            value += tick
        }
        // x ticks at the measured levels.
        for level in levels {
            let xx = px(level)
            svg += """
                <line x1="\(n(xx))" y1="\(n(top))" x2="\(n(xx))" y2="\(n(bottom))" stroke="#f3f4f6"/>
                <line x1="\(n(xx))" y1="\(n(bottom))" x2="\(n(xx))" y2="\(n(bottom + 4))" stroke="#6b7280"/>
                <text x="\(n(xx))" y="\(n(bottom + 16))" text-anchor="middle" fill="#4b5563">\(level)</text>

                """
        }
        svg += """
            <rect x="\(n(left))" y="\(n(top))" width="\(n(right - left))" height="\(n(bottom - top))" fill="none" \
            stroke="#9ca3af"/>
            <text x="\(n((left + right) / 2))" y="\(n(bottom + 34))" text-anchor="middle" fill="#374151">\
            connections</text>
            <text x="\(n(x + 14))" y="\(n((top + bottom) / 2))" text-anchor="middle" fill="#374151" \
            transform="rotate(-90 \(n(x + 14)) \(n((top + bottom) / 2)))">\(escape(metric.axis))</text>

            """
        for (index, mode) in modes.enumerated() {
            let color = Self.palette[index % Self.palette.count]
            let points = steps.filter { $0.mode == mode }.sorted { $0.connections < $1.connections }
            let coordinates = points.map { "\(n(px($0.connections))),\(n(py(metric.value($0))))" }
            svg += """
                <polyline data-mode="\(escape(mode))" points="\(coordinates.joined(separator: " "))" fill="none" \
                stroke="\(color)" stroke-width="2" stroke-linejoin="round"/>

                """
            for step in points {
                svg += """
                    <circle cx="\(n(px(step.connections)))" cy="\(n(py(metric.value(step))))" r="3" fill="\(color)">\
                    <title>\(escape(mode)), \(step.connections) connections: \
                    \(ReportFormat.compact(metric.value(step))) \(escape(metric.axis))</title></circle>

                    """
            }
        }
        return svg + "</g>\n"
    }

    /// A y range from 0 to a round number at or above `maximum`, in 4-6 steps of 1, 2 or 5 × 10^k.
    static func niceScale(_ maximum: Double) -> (ceiling: Double, tick: Double) {
        guard maximum > 0, maximum.isFinite else { return (1, 0.25) }
        let rough = maximum / 5
        var power = 1.0
        while power * 10 <= rough { power *= 10 }
        while power > rough { power /= 10 }
        let tick = [1.0, 2, 2.5, 5, 10].map { $0 * power }.first { $0 >= rough } ?? power * 10
        let ceiling = (maximum / tick).rounded(.up) * tick
        return (ceiling, tick)
    }

    private func n(_ value: Double) -> String { ReportFormat.trimmed(ReportFormat.fixed(value, 1)) }

    private func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}

extension CompareReport {
    /// The chart as an SVG document.
    public func svg() -> String { CompareChart(report: self).render() }
}
