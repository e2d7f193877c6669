// swift-tools-version:6.0
import PackageDescription

// Release builds drop exclusivity checks in the two hot modules: they own no shared mutable state
// that could be accessed concurrently, and the checks cost a measurable share of a small request.
let hotPathSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
    name: "spindle",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "spindle", targets: ["spindle"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        .target(name: "CLinux"),
        .target(name: "Posix", dependencies: ["CLinux"], swiftSettings: hotPathSettings),
        .target(name: "HTTP1", swiftSettings: hotPathSettings),
        .target(name: "TOML"),
        .target(
            name: "SpindleServer", dependencies: ["Posix", "HTTP1", "TOML"], swiftSettings: hotPathSettings),
        .target(name: "SpindleCompare", dependencies: ["Posix"]),
        .executableTarget(
            name: "spindle",
            dependencies: [
                "SpindleServer", "SpindleCompare", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1"]),
        .testTarget(name: "PosixTests", dependencies: ["Posix"]),
        .testTarget(name: "TOMLTests", dependencies: ["TOML"]),
        .testTarget(name: "SpindleServerTests", dependencies: ["SpindleServer", "HTTP1", "Posix"]),
        .testTarget(name: "SpindleCompareTests", dependencies: ["SpindleCompare", "Posix"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Posix"]),
    ],
    swiftLanguageModes: [.v6]
)
