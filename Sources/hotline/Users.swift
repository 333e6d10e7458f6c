import ArgumentParser
import Foundation
import HotlineApp
import HotlineStorage

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Staff accounts for the admin side: add, list, disable, set a password, issue or revoke an API token.",
        subcommands: [Add.self, List.self, Disable.self, Passwd.self, Token.self, Revoke.self], defaultSubcommand: List.self)

    static func desk(_ files: FileOptions, _ db: DatabaseOption) throws -> StaffAccounts {
        StaffAccounts(try CLI.quietParts(files, db))
    }

    /// Runs `body`, turning the desk's refusals into a clear error and exit 1.
    static func run<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let p as StaffAccounts.Problem { throw CLI.fail(p.description) }
    }

    /// A password from standard input (one line), never from the command line where `ps` shows it.
    static func readPassword() throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw CLI.fail("give the password on standard input (one line)") }
        return line
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an account (its password from standard input with --password-stdin).")
        @OptionGroup var files: FileOptions
        @OptionGroup var db: DatabaseOption
        @Argument(help: "The login.")
        var login: String
        @Option(help: "coordinator, liaison, member or auditor.")
        var role: StaffRole
        @Option(help: "A studio the account works in (repeat for several; auditors see all).")
        var studio: [String] = []
        @Option(help: "The person's name (default: the login).")
        var name: String?
        @Option(help: "A member account's roster id (e.g. M3).")
        var member: String?
        @Flag(help: "Read the password from standard input.")
        var passwordStdin = false

        func run() async throws {
            let desk = try Users.desk(files, db)
            let user = try await Users.run { try await desk.add(login: login, name: name ?? login, role: role, studios: studio, rosterID: member) }
            if passwordStdin {
                let password = try Users.readPassword()
                try await Users.run { try await desk.setPassword(login: login, password: password) }
            }
            CLI.printLine("added \(user.login) (\(user.role.rawValue), studios \(user.studios))\(passwordStdin ? "" : "; no password yet: hotline users passwd or token")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Accounts: login, role, studios, state, tokens.")
        @OptionGroup var db: DatabaseOption

        func run() async throws {
            let database = try openExisting(db.database)
            for u in try await database.staffUsers() {
                let tokens = try await database.tokens(userID: u.id!).filter { $0.revokedAt == nil && $0.expiresAt > Date() }.count
                CLI.printLine("\(u.login)\t\(u.name)\t\(u.role.rawValue)\t\(u.studios)\t\(u.disabledAt == nil ? "active" : "disabled")\t\(tokens) live token(s)")
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account: its password and tokens stop working.")
        @OptionGroup var files: FileOptions
        @OptionGroup var db: DatabaseOption
        @Argument(help: "The login.")
        var login: String

        func run() async throws {
            let desk = try Users.desk(files, db)
            try await Users.run { try await desk.disable(login: login) }
            CLI.printLine("disabled \(login)")
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set an account's password, read from standard input.")
        @OptionGroup var files: FileOptions
        @OptionGroup var db: DatabaseOption
        @Argument(help: "The login.")
        var login: String

        func run() async throws {
            let desk = try Users.desk(files, db)
            let password = try Users.readPassword()
            try await Users.run { try await desk.setPassword(login: login, password: password) }
            CLI.printLine("password set for \(login)")
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue an API token (printed once; only its hash is kept).")
        @OptionGroup var files: FileOptions
        @OptionGroup var db: DatabaseOption
        @Argument(help: "The login.")
        var login: String
        @Option(help: "Days until it expires.")
        var days = 90
        @Option(help: "What it is for.")
        var label: String?

        func validate() throws {
            if !(1...3650).contains(days) { throw ValidationError("--days must be 1 to 3650 (given \(days))") }
        }

        func run() async throws {
            let desk = try Users.desk(files, db)
            let (token, record) = try await Users.run { try await desk.issueToken(login: login, days: days, label: label) }
            CLI.printLine(token)
            FileHandle.standardError.write(Data("token \(record.id!) for \(login), expires \(Listings.isoString(record.expiresAt)); it is not shown again\n".utf8))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token by its id.")
        @OptionGroup var db: DatabaseOption
        @Argument(help: "The token's id (printed when it was issued).")
        var id: Int64

        func run() async throws {
            do { try await openExisting(db.database).revokeToken(id: id, now: Date()) } catch let e as StaffError { throw CLI.fail(e.description) }
            CLI.printLine("revoked token \(id)")
        }
    }
}

extension StaffRole: ExpressibleByArgument {}
