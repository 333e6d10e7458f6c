/// The application services, built once by the composition root (``buildApplication``) from the
/// parts; each controller and background service is handed the ones it uses.
struct HotlineServices: Sendable {
    let intake: IntakeService, casework: Casework, notices: NoticeService, staff: StaffAccounts, reports: Reports
    let access: Access, casebook: Casebook
    /// Failed logins per address, for the API's and the dashboard's logins together.
    let loginThrottle: LoginThrottle
    /// Coordinators' pages and reports take turns (``ReadGate``).
    let readGate: ReadGate

    init(_ parts: HotlineParts, bcryptCost: UInt8) {
        intake = IntakeService(parts)
        casework = Casework(parts)
        notices = casework.notices
        staff = StaffAccounts(parts, cost: bcryptCost)
        reports = Reports(parts)
        access = Access(deployment: parts.settings.deployment)
        casebook = Casebook(parts, access: access)
        loginThrottle = LoginThrottle()
        readGate = ReadGate()
    }
}
