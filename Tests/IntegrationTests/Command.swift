import Foundation
import Glibc

/// A finished child process: exit status and output.
struct CommandResult: Sendable {
    let status: Int32
    let stdout: [UInt8]
    let stderr: String
}

/// Runs a command to completion (killed after `timeout` seconds), collecting stdout and stderr.
func run(_ executable: String, _ arguments: [String], timeout: Double = 30) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardInput = FileHandle.nullDevice
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    let errors = OutputCollector(err.fileHandleForReading)
    let killer = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
    let output = out.fileHandleForReading.readDataToEndOfFile()
    exited.wait()
    killer.cancel()
    errors.waitForEnd(timeout: 5)
    return CommandResult(status: process.terminationStatus, stdout: Array(output), stderr: errors.text)
}

/// `curl -sS --max-time 20 ARGS...`
func curl(_ arguments: [String]) throws -> CommandResult {
    try run("/usr/bin/curl", ["-sS", "--max-time", "20"] + arguments, timeout: 30)
}

/// `curl -i`: the response (head and body) as curl received it.
func curlResponse(_ arguments: [String], forHead: Bool = false) throws -> HTTPResponse {
    let result = try curl(["-i"] + arguments)
    guard result.status == 0 else {
        throw HarnessError("curl \(arguments) failed (\(result.status)): \(result.stderr)")
    }
    guard case .complete(let response, _) = HTTPResponse.parse(result.stdout, forHead: forHead, atEOF: true) else {
        throw HarnessError("curl \(arguments): unparsable output \(String(decoding: result.stdout, as: UTF8.self))")
    }
    return response
}

/// The SHA-256 of a file, via sha256sum (CryptoKit is not available on Linux).
func sha256(ofFile path: String) throws -> String {
    let result = try run("/usr/bin/sha256sum", [path])
    guard result.status == 0, let digest = String(decoding: result.stdout, as: UTF8.self).split(separator: " ").first
    else { throw HarnessError("sha256sum \(path): \(result.stderr)") }
    return String(digest)
}
